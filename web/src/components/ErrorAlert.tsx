import { Alert } from 'antd';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client.ts';

/** A refusal in the server's own words and language, with its stable code for the help desk. */
export function ErrorAlert({ error, style }: { error: unknown; style?: React.CSSProperties }) {
  const { i18n } = useTranslation();
  if (!error) return null;
  const message = error instanceof ApiError ? error.text(i18n.language) : String(error);
  const code = error instanceof ApiError ? error.code : undefined;
  return <Alert type="error" showIcon role="alert" style={{ marginBottom: 16, ...style }} title={message} description={code ? <small>{code}</small> : undefined} />;
}
