// The fleet's connection to etcd: the npm `etcd3` client (loaded only when a daemon joins a
// fleet), with a deadline on every unary call so that an unreachable cluster fails calls instead
// of hanging them, and the node's lease kept by hand so that fencing knows when it was renewed.
import type { Etcd3, IKeyValue, IRangeResponse, Watcher } from 'etcd3';

export interface EtcdOptions {
  endpoints: string[];
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer };
  auth?: { username: string; password: string };
  /** Deadline of unary calls, ms. */
  callTimeoutMs?: number;
}

export type { Etcd3, IKeyValue, IRangeResponse, Watcher };

/** How soon a failed renewal is tried again. */
const RETRY_MS = 150;

/** How long a member that failed a call is skipped before one call may try it again. */
export const HALF_OPEN_MS = 1000;

/**
 * The client asked no member: every member failed a call within the last HALF_OPEN_MS and is
 * skipped (cockatiel's broken-circuit refusal). Worth waiting for, unlike a member's own answer.
 */
export function refusedByBreakers(e: unknown): boolean {
  return e instanceof Error && 'isBrokenCircuitError' in e;
}

/**
 * A failure that a new leader will cure: the member answered (or held the call past its deadline)
 * while the cluster elects one. Worth another try, unlike a member that cannot be reached at all.
 */
export function awaitingLeader(e: unknown): boolean {
  return /DEADLINE_EXCEEDED|timed out|leader|election/i.test(e instanceof Error ? e.message : String(e));
}

/** A member that could not be reached (refused, dropped, never connected): the client's own failure. */
export function memberUnreachable(e: unknown): boolean {
  return e instanceof Error && /\bUNAVAILABLE\b/.test(e.message) && !awaitingLeader(e);
}

/** Per client: when a member last answered a call, or failed one with awaitingLeader (epoch ms). */
const answered = new WeakMap<Etcd3, { at: number }>();

/** When some member of `client`'s cluster last showed it was alive (0: never). */
export function lastAnswer(client: Etcd3): number {
  return answered.get(client)?.at ?? 0;
}

/** A client for `options`; unary calls fail after callTimeoutMs (streams have no deadline). */
export async function connectEtcd(options: EtcdOptions): Promise<Etcd3> {
  const [{ Etcd3, isRecoverableError }, { circuitBreaker, ConsecutiveBreaker, handleWhen, retry, ConstantBackoff }] = await Promise.all([
    import('etcd3'),
    import('cockatiel'),
  ]);
  const timeout = options.callTimeoutMs ?? 3000;
  const { tls, auth } = options;
  const recoverable = handleWhen(isRecoverableError);
  const alive = { at: 0 };
  const hostPolicy = () => {
    const breaker = circuitBreaker(recoverable, { halfOpenAfter: HALF_OPEN_MS, breaker: new ConsecutiveBreaker(1) });
    breaker.onSuccess(() => (alive.at = Date.now()));
    breaker.onFailure(({ reason }) => {
      if ('error' in reason && awaitingLeader(reason.error)) alive.at = Date.now();
    });
    return breaker;
  };
  const client = new Etcd3({
    hosts: options.endpoints,
    // The client's default skips a member for 5 s after three failures, and so refuses every call
    // for 5 s after a whole cluster comes back. Here one failure skips a member for a second (a
    // dead one is not asked again at once; a returning cluster is used within a second), and a
    // call is tried on up to three members.
    faultHandling: {
      host: hostPolicy,
      global: retry(recoverable, { maxAttempts: 3, backoff: new ConstantBackoff(20) }),
    },
    dialTimeout: timeout,
    defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + timeout }),
    ...(tls
      ? {
          credentials: {
            rootCertificate: tls.ca ?? Buffer.alloc(0),
            ...(tls.key ? { privateKey: tls.key } : {}),
            ...(tls.cert ? { certChain: tls.cert } : {}),
          },
        }
      : {}),
    ...(auth ? { auth: { username: auth.username, password: auth.password } } : {}),
  });
  answered.set(client, alive);
  return client;
}

/** A key's value as text. */
export function text(kv: IKeyValue): string {
  return kv.value.toString('utf8');
}

/**
 * The node's lease. It is renewed every third of its TTL; `renewedAt` is when the last renewal
 * that etcd confirmed was *sent* (etcd restarted the TTL no earlier than that), so the lease is
 * certainly alive until renewedAt + TTL — the basis of fencing.
 */
export class NodeLease {
  readonly ttlMs: number;
  #id: string | undefined;
  /** The last lease given up without revoking it. */
  #previous: string | undefined;
  #renewedAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  readonly #client: Etcd3;
  readonly #onLost: () => void;
  readonly #onRenewed: () => void;

  constructor(client: Etcd3, ttlSeconds: number, handlers: { lost: () => void; renewed: () => void }) {
    this.#client = client;
    this.ttlMs = ttlSeconds * 1000;
    this.#onLost = handlers.lost;
    this.#onRenewed = handlers.renewed;
  }

  /** The lease id, while it is believed alive. */
  get id(): string | undefined {
    return this.#id;
  }

  /** Epoch ms until which etcd certainly keeps the lease (0 without one). */
  get certainUntil(): number {
    return this.#id ? this.#renewedAt + this.ttlMs : 0;
  }

  /** Grants a new lease (the previous one, if any, is forgotten). @throws when etcd cannot be reached */
  async grant(): Promise<string> {
    // A lease we stopped trusting may still live in etcd: revoke it so its keys go now.
    const previous = this.#previous;
    this.#previous = undefined;
    if (previous) await this.#client.leaseClient.leaseRevoke({ ID: previous }).catch(() => undefined);
    const sent = Date.now();
    const res = await this.#client.leaseClient.leaseGrant({ TTL: this.ttlMs / 1000, ID: 0 });
    if (this.#closed) throw new Error('closed');
    this.#id = String(res.ID);
    this.#renewedAt = sent;
    this.#schedule();
    return this.#id;
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    if (this.#closed || !this.#id) return;
    this.#timer = setTimeout(() => void this.#renew(), this.ttlMs / 3);
  }

  async #renew(): Promise<void> {
    const id = this.#id;
    if (!id || this.#closed) return;
    const sent = Date.now();
    this.#schedule();
    try {
      const ttl = await keepAliveOnce(this.#client, id, this.ttlMs / 3);
      if (this.#id !== id) return;
      if (ttl <= 0) return this.#lose();
      this.#renewedAt = Math.max(this.#renewedAt, sent);
      this.#onRenewed();
    } catch {
      if (this.#id !== id) return;
      if (Date.now() >= this.certainUntil) return this.#lose();
      // One failed round trip (a member that just died) must not cost the lease: try again soon.
      clearTimeout(this.#timer);
      this.#timer = setTimeout(() => void this.#renew(), Math.min(RETRY_MS, this.ttlMs / 10));
    }
  }

  #lose(): void {
    if (!this.#id) return;
    this.#previous = this.#id;
    this.#id = undefined;
    clearTimeout(this.#timer);
    this.#onLost();
  }

  /** Stops renewing and revokes the lease (its keys go at once); errors are ignored. */
  async close(revoke: boolean): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    const id = this.#id;
    this.#id = undefined;
    if (revoke && id) await this.#client.leaseClient.leaseRevoke({ ID: id }).catch(() => undefined);
  }
}

/** One keep-alive round trip; the TTL etcd answers (0: the lease is gone). */
function keepAliveOnce(client: Etcd3, id: string, timeoutMs: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let end = () => {};
    const timer = setTimeout(() => (end(), reject(new Error('keep-alive timed out'))), timeoutMs);
    const settle = (fn: () => void) => (clearTimeout(timer), end(), fn());
    client.leaseClient.leaseKeepAlive().then(
      (stream) => {
        end = () => stream.end();
        stream.on('data', (res: { TTL: string }) => settle(() => resolve(Number(res.TTL))));
        stream.on('error', (e: Error) => settle(() => reject(e)));
        stream.on('end', () => settle(() => reject(new Error('keep-alive stream ended'))));
        stream.write({ ID: id });
      },
      (e: unknown) => settle(() => reject(e)),
    );
  });
}
