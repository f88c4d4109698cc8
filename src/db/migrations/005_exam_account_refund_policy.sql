-- ACC-1: which account style the exam uses; REF-1: its refund policy.
ALTER TABLE exam
  ADD COLUMN account_style text NOT NULL DEFAULT 'ID_DOCUMENT' CHECK (account_style IN ('ID_DOCUMENT', 'EMAIL')),
  ADD COLUMN refund_policy text NOT NULL DEFAULT 'NO_PERSONAL_REFUNDS' CHECK (refund_policy IN ('NO_PERSONAL_REFUNDS', 'STAFF_DECIDES'));
