import { Spin } from 'antd';
import { useTranslation } from 'react-i18next';
import { Navigate, useParams } from 'react-router';
import { ApiError } from '../../../api/client.ts';
import { AppLayout } from '../../../layout/AppLayout.tsx';
import { CandidatePage, useMe } from '../../../session/candidate.tsx';
import { PayerFrame } from '../../public/PayerFrame.tsx';
import { useBill } from './billApi.ts';
import { BillView } from './BillView.tsx';

/**
 * /bills/:billNo — the bill number is in the address, so Back, Refresh and the channel's browser
 * return all land here and the page reloads the bill from the server. Signed in: the candidate
 * frame. Not signed in but holding a payment pass (PAY-6): the same bill in the payer's frame.
 * Neither: sign in, then back here.
 */
export function BillPage() {
  const { billNo = '' } = useParams();
  const me = useMe();
  if (me.data === null) return <PayerBill billNo={billNo} />;
  return <CandidatePage>{() => <BillView billNo={billNo} />}</CandidatePage>;
}

function PayerBill({ billNo }: { billNo: string }) {
  const { t } = useTranslation();
  const bill = useBill(billNo);
  if (bill.isPending) return <AppLayout><Spin aria-label={t('loading')} /></AppLayout>;
  if (bill.error instanceof ApiError && bill.error.status === 401) {
    return <Navigate to={`/sign-in?next=${encodeURIComponent(`/bills/${billNo}`)}`} replace />;
  }
  return <PayerFrame><BillView billNo={billNo} payer /></PayerFrame>;
}
