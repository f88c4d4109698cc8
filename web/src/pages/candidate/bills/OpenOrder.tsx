import { Button, Card, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

/*
 * The pay step shared by a candidate's bill and an institution's batch bill: how a channel order
 * is shown (QR or the bank's own page) and how the page goes there.
 */

/**
 * Channels whose pay step is a page the payer's own browser goes to (a bank picker behind a
 * signed form), not a code to scan: the page goes there in the same window, never a pop-up.
 */
const REDIRECT_CHANNELS = new Set(['unionpay']);
export const isRedirect = (o: { channel: string; qrContent: string }) => REDIRECT_CHANNELS.has(o.channel) || !o.qrContent;

/** A same-window, top-level navigation: pop-up blockers never stop it, and Back returns here. */
export function go(url: string) {
  window.location.assign(url);
}

export function useChannelName() {
  const { t } = useTranslation('bills');
  return (c: string) => t(`channels.${c}`, { defaultValue: c });
}

export interface ChannelOrder { outTradeNo: string; channel: string; state: string; payUrl: string; qrContent: string }

/** The newest open order is the one the payer chose last. */
export const openOrder = (orders: readonly ChannelOrder[]) => [...orders].reverse().find((o) => o.state === 'OPEN' && o.payUrl);

/**
 * The open order's QR code, or the way to its bank page: first on the page while paying.
 * `billPath` is the bill's API path; its `qr.svg` draws the code.
 */
export function OpenOrder({ billNo, billPath, orders }: { billNo: string; billPath: string; orders: readonly ChannelOrder[] }) {
  const { t } = useTranslation('bills');
  const channelName = useChannelName();
  const [leaving, setLeaving] = useState(false);
  const order = openOrder(orders);
  if (!order) return null;
  return (
    <Card style={{ marginBottom: 16 }}>
      {isRedirect(order) ? (
        <section aria-labelledby="cashier-title">
          <Typography.Title level={2} id="cashier-title" style={{ fontSize: 18, marginTop: 0 }}>{t('redirectTitle')}</Typography.Title>
          <p>{t('redirectHint', { channel: channelName(order.channel) })}</p>
          <Button type="primary" data-testid="go-cashier" loading={leaving} onClick={() => { setLeaving(true); go(order.payUrl); }}>
            {t('goToCashier', { channel: channelName(order.channel) })}
          </Button>
        </section>
      ) : (
        <section aria-labelledby="qr-title">
          <Typography.Title level={2} id="qr-title" style={{ fontSize: 18, marginTop: 0 }}>{t('scanTitle')}</Typography.Title>
          <p>{t('scanHint', { channel: channelName(order.channel) })}</p>
          {/* The order number in the address: a new order is a new image, a poll is not. */}
          <img data-testid="qr" width={220} height={220} style={{ display: 'block', maxWidth: '100%', height: 'auto', background: '#fff' }}
            src={`${billPath}/qr.svg?channel=${encodeURIComponent(order.channel)}&order=${encodeURIComponent(order.outTradeNo)}`}
            alt={t('qrAlt', { channel: channelName(order.channel), billNo })} />
          <p style={{ marginTop: 12 }}><a data-testid="cashier" href={order.payUrl}>{t('openCashier')}</a></p>
        </section>
      )}
    </Card>
  );
}
