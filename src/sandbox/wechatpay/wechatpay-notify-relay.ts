/**
 * Carries the `Wechatpay-*` headers of a rendered callback to the HTTP request that sends it.
 *
 * Why: WeChat Pay signs callbacks in headers, but `NotificationSpec.render()` can only return a
 * body and a content type, and `NotifyDispatcher` sends no other header. Until the dispatcher
 * sends headers a render returns (the core change asked for in the report), the dialect's render
 * pushes its headers here, keyed by the exact body, and the dispatcher's `fetch` is wrapped to
 * take them back out. Renders and sends alternate one by one (the dispatcher awaits each
 * attempt), so a queue per body is enough even for duplicate deliveries of one body.
 */
export class NotifyHeaderRelay {
  private readonly pending = new Map<string, Array<Record<string, string>>>();
  private static readonly MAX_BODIES = 1_000;

  push(body: string, headers: Record<string, string>): void {
    const queue = this.pending.get(body) ?? [];
    queue.push(headers);
    this.pending.set(body, queue);
    // Bounded: if nothing ever takes them (no wrapped fetch in use), the oldest are dropped.
    if (this.pending.size > NotifyHeaderRelay.MAX_BODIES) this.pending.delete(this.pending.keys().next().value!);
  }

  /** A `fetch` that adds the headers pushed for a request's body, and otherwise passes it through. */
  wrap(base: typeof fetch): typeof fetch {
    return (input, init) => {
      const extra = typeof init?.body === 'string' ? this.take(init.body) : undefined;
      if (!extra) return base(input, init);
      const headers = new Headers(init?.headers);
      for (const [k, v] of Object.entries(extra)) headers.set(k, v);
      return base(input, { ...init, headers });
    };
  }

  private take(body: string): Record<string, string> | undefined {
    const queue = this.pending.get(body);
    const headers = queue?.shift();
    if (queue && queue.length === 0) this.pending.delete(body);
    return headers;
  }
}
