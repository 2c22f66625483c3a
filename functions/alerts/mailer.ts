// The one interface every way of delivering an alert implements: Gmail in the cloud, an outbox folder locally.
import type { MailMessage } from './mime.js';

export interface Mailer {
  /** Resolves once the message is delivered; rejects with the reason otherwise. Never retried by the caller. */
  send(message: MailMessage): Promise<void>;
}
