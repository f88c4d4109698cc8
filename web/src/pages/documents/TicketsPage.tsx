import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Descriptions, Flex, Spin, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { get } from '../../api/client.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { CandidatePage } from '../../session/candidate.tsx';
import { useSessionLossRedirect } from '../candidate/account/shared.tsx';

/** GET /api/v1/sittings */
interface Sitting { sittingId: string; code: string; name: string }

/** GET /api/v1/sittings/:sittingId/admission-tickets */
interface TicketOverview {
  sittingId: string;
  sittingName: string;
  offered: boolean;
  printOpen: boolean;
  printWindows: { opensAt: string; closesAt: string; opensAtShanghai: string; closesAtShanghai: string }[];
  tickets: { kind: 'WRITTEN' | 'ORAL'; ticketNo: string | null; subjects: string[]; pdfUrl: string }[];
}

/** 准考证 (DOC-2): the signed-in candidate's tickets, sitting by sitting. */
export function TicketsPage() {
  const { t } = useTranslation('documents');
  return (
    <CandidatePage>
      {() => (
        <>
          <Typography.Title level={1} style={{ fontSize: 22 }}>{t('tickets.title')}</Typography.Title>
          <Typography.Paragraph>{t('tickets.intro')}</Typography.Paragraph>
          <SittingList />
        </>
      )}
    </CandidatePage>
  );
}

function SittingList() {
  const { t } = useTranslation('documents');
  const sittings = useQuery({ queryKey: ['sittings'], queryFn: () => get<Sitting[]>('/api/v1/sittings') });
  useSessionLossRedirect(sittings.error);
  if (sittings.isPending) return <Spin aria-label={t('common:loading')} />;
  if (sittings.isError) return <ErrorAlert error={sittings.error} />;
  if (sittings.data.length === 0) return <Alert type="info" showIcon title={t('tickets.noSittings')} />;
  return <>{sittings.data.map((s) => <SittingTickets key={s.sittingId} sitting={s} />)}</>;
}

/**
 * One sitting: the print link only while the server says the window is open (printOpen); else
 * the window's times. The server still refuses a PDF outside the window (WINDOW_CLOSED), so a
 * page left open past the close only gets the server's refusal.
 */
function SittingTickets({ sitting }: { sitting: Sitting }) {
  const { t } = useTranslation('documents');
  const q = useQuery({
    queryKey: ['admission-tickets', sitting.sittingId],
    queryFn: () => get<TicketOverview>(`/api/v1/sittings/${encodeURIComponent(sitting.sittingId)}/admission-tickets`),
  });
  useSessionLossRedirect(q.error);
  const o = q.data;
  const windows = o && o.printWindows.length > 0
    ? <ul id={`windows-${sitting.sittingId}`} style={{ margin: '4px 0 0', paddingLeft: '1.2em' }}>{o.printWindows.map((w) => <li key={w.opensAt}>{t('tickets.window', { opens: w.opensAtShanghai, closes: w.closesAtShanghai })}</li>)}</ul>
    : null;
  return (
    <section aria-labelledby={`sitting-${sitting.sittingId}`} data-sitting={sitting.sittingId} style={{ marginBottom: 24 }}>
      <Typography.Title level={2} id={`sitting-${sitting.sittingId}`} style={{ fontSize: 18 }}>{sitting.name}</Typography.Title>
      {q.isPending ? <Spin aria-label={t('common:loading')} /> : null}
      {q.isError ? <ErrorAlert error={q.error} /> : null}
      {o && !o.offered ? <Alert type="info" showIcon title={t('tickets.notOffered')} /> : null}
      {o && o.offered && o.tickets.length === 0 ? <Alert type="info" showIcon title={t('tickets.noTickets')} /> : null}
      {o && o.offered && o.tickets.length > 0 ? (
        <>
          {o.printOpen
            ? <Alert className="print-state" data-open="true" type="success" showIcon style={{ marginBottom: 12 }} title={t('tickets.printOpen')} description={<><div>{t('tickets.printHint')}</div>{windows}</>} />
            : <Alert className="print-state" data-open="false" type="warning" showIcon style={{ marginBottom: 12 }} title={t('tickets.printClosed')} description={windows ?? t('tickets.noWindow')} />}
          <Flex vertical gap={12}>
            {o.tickets.map((ticket) => (
              <Card key={ticket.kind} size="small" data-ticket={ticket.kind}
                title={<Typography.Title level={3} style={{ fontSize: 16, margin: 0 }}>{t(`tickets.kinds.${ticket.kind}`)}</Typography.Title>}>
                <Descriptions column={1} size="small" styles={{ label: { color: '#262626' } }} items={[
                  { key: 'no', label: t('tickets.ticketNo'), children: ticket.ticketNo ?? t('tickets.ticketNoPending') },
                  { key: 'subjects', label: t('tickets.subjects'), children: ticket.subjects.join('、') },
                ]} />
                {o.printOpen ? (
                  // A plain link to the PDF, opened in this tab: no pop-up, Back returns here.
                  <Button type="primary" href={ticket.pdfUrl} className="print-ticket" style={{ marginTop: 8 }}>{t('tickets.print', { kind: t(`tickets.kindShort.${ticket.kind}`) })}</Button>
                ) : null}
              </Card>
            ))}
          </Flex>
        </>
      ) : null}
    </section>
  );
}
