import type { Exam, ExamTable } from '../../db/schema.ts';
import type { Updateable } from 'kysely';
import { DEFAULT_PASSWORD_POLICY } from '../accounts/password-policy.ts';
import type { ExamSettings } from './exam-configuration.schema.ts';

/**
 * An exam's settings between the data file's shape (ExamSettings) and the `exam` row, both ways,
 * in one place: the seed loader, the console and the sitting file all write and read exams here.
 */

/** The row's columns for these settings (absent optional settings take the platform defaults). */
export function examColumns(e: ExamSettings) {
  const policy = e.passwordPolicy ?? DEFAULT_PASSWORD_POLICY;
  return {
    code: e.code, name: e.name,
    initial_password_rule: e.initialPassword.rule,
    initial_password_fixed: e.initialPassword.rule === 'FIXED' ? e.initialPassword.password : null,
    bill_timeout_minutes: e.billTimeoutMinutes, channels: [...e.channels], institution_channels: e.institutionChannels ? [...e.institutionChannels] : null, bank_card_only: e.bankCardOnly, agreement_text: e.agreementText,
    release_seats_on_bill_expiry: e.releaseSeatsOnBillExpiry, roster_restricted: e.rosterRestricted, audit_required: e.auditRequired,
    unpaid_registration_ttl_hours: e.unpaidRegistrationTtlHours, cet6_review_threshold: e.cet6ReviewThreshold,
    account_style: e.accountStyle, refund_policy: e.refundPolicy, repayment_needs_approval: e.repaymentNeedsApproval ?? false,
    seat_hold_minutes: e.seatHoldMinutes ?? 1440, pay_without_sign_in: e.payWithoutSignIn ?? false,
    password_min_length: policy.minLength, password_max_length: policy.maxLength,
    password_required_classes: [...policy.requiredClasses], password_special_characters: policy.specialCharacters,
  } satisfies Updateable<ExamTable>;
}

type Requirement = NonNullable<ExamSettings['passwordPolicy']>['requiredClasses'][number];

/** The settings an exam row holds, every optional setting written out (what an export carries). */
export function examSettingsOf(row: Exam): ExamSettings {
  return {
    code: row.code, name: row.name, accountStyle: row.account_style,
    initialPassword: row.initial_password_rule === 'FIXED' ? { rule: 'FIXED', password: row.initial_password_fixed ?? '' } : { rule: 'ID_LAST6' },
    billTimeoutMinutes: row.bill_timeout_minutes, channels: row.channels as ExamSettings['channels'],
    ...(row.institution_channels ? { institutionChannels: row.institution_channels as ExamSettings['channels'] } : {}), bankCardOnly: row.bank_card_only,
    agreementText: row.agreement_text, releaseSeatsOnBillExpiry: row.release_seats_on_bill_expiry,
    payWithoutSignIn: row.pay_without_sign_in, seatHoldMinutes: row.seat_hold_minutes,
    rosterRestricted: row.roster_restricted, auditRequired: row.audit_required,
    unpaidRegistrationTtlHours: row.unpaid_registration_ttl_hours, cet6ReviewThreshold: row.cet6_review_threshold,
    refundPolicy: row.refund_policy, repaymentNeedsApproval: row.repayment_needs_approval,
    passwordPolicy: {
      minLength: row.password_min_length, maxLength: row.password_max_length,
      requiredClasses: row.password_required_classes as Requirement[], specialCharacters: row.password_special_characters,
    },
  };
}
