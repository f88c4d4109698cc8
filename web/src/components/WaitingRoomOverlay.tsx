import { Modal, Spin, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { onQueue, type QueueState } from '../api/client.ts';

/** The waiting screen of the opening minute: place in line and the expected wait, updated as the line moves. */
export function WaitingRoomOverlay() {
  const { t } = useTranslation();
  const [queue, setQueue] = useState<QueueState | null>(null);
  useEffect(() => onQueue(setQueue), []);
  return (
    <Modal open={queue !== null} closable={false} footer={null} maskClosable={false} keyboard={false} title={t('waitingRoom.title')}>
      <div role="status" aria-live="polite">
        <Spin style={{ marginInlineEnd: 12 }} />
        <Typography.Text>{queue ? t('waitingRoom.position', { position: queue.position, seconds: queue.estimatedWaitSeconds }) : ''}</Typography.Text>
        <Typography.Paragraph type="secondary" style={{ marginTop: 12 }}>{t('waitingRoom.hint')}</Typography.Paragraph>
      </div>
    </Modal>
  );
}
