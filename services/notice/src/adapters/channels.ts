import type { Logger } from "pino";
import type { NotificationRecord } from "../domain/notification.js";

/** Where notifications go. Add e-mail, SMS or push by implementing this. */
export interface NotificationChannel {
  readonly name: string;
  deliver(notification: NotificationRecord): Promise<void>;
}

/** Delivers as a structured log line: enough until a real channel is chosen. */
export class LogChannel implements NotificationChannel {
  readonly name = "log";

  constructor(private readonly logger: Logger) {}

  async deliver(n: NotificationRecord): Promise<void> {
    this.logger.info(
      { channel: this.name, notificationId: n.notificationId, customerId: n.customerId, reservationId: n.reservationId, kind: n.kind },
      n.message,
    );
  }
}
