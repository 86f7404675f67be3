// The visit collector behind POST /collect: the route answers 204 as soon as `accept` has queued
// a page view, and the views are written in batches (app/visitors/record_visits.ts) at most
// `flushIntervalMs` later. A page's tracking call thus costs the server a few microseconds of
// checks in the request, and a busy site's views of one company become one row update a flush.
//
// In the request (`accept`): bots (by user agent), URLs that are not http(s), and clients over
// their rate (a token bucket per client address) are dropped at once; the queue is bounded, and a
// view beyond it is dropped too. Everything else (the company by IP, the site, the plan) is
// decided at the flush. Queued views live in memory only: a crash loses at most one interval of
// them, which the visitors feed can afford and the credits never notice (a visit moves none).
// Client addresses stay in this process's memory: never stored, never logged.
import { RateLimitBuckets, type RateLimitPolicy } from '../../domain/plans/rate_limit.ts';
import { isBotUserAgent } from '../../domain/visitors/bots.ts';
import { pageOf, referrerHostOf } from '../../domain/visitors/visits.ts';
import type { AppContext } from '../context.ts';
import { CompanyAddressIndex } from './company_address_index.ts';
import { anySiteTracked } from '../../store/visitors.ts';
import { recordVisits, type QueuedView, type VisitCounts } from './record_visits.ts';

/** How long a page view may wait in memory before it is written, in milliseconds. */
export const visitFlushIntervalMsDefault = 1_000;
/** Page views held in memory at most; beyond it new views are dropped until the next flush. */
export const queuedViewsMax = 100_000;
/**
 * Page views per second per client address, and the burst. A company's office behind one
 * address browsing a customer's website stays far below; a script replaying views does not.
 */
export const collectRateLimitDefault: RateLimitPolicy = { perSecond: 10, burst: 50 };

export interface VisitInput {
  siteId: string;
  url: string;
  referrer?: string | undefined;
  /** The client address (from the connection, or X-Forwarded-For behind a trusted proxy). */
  address: string;
  userAgent: string | undefined;
}

/** What `accept` did with a view: only `queued` views can be recorded. */
export type AcceptOutcome = 'queued' | 'bot' | 'bad_url' | 'rate_limited' | 'queue_full';

/** What a flush came to: the batch's counts, and the views dropped since the last flush because the queue was full. */
export interface FlushCounts extends VisitCounts {
  queueFull: number;
}

export interface VisitCollectorOptions {
  flushIntervalMs?: number | undefined;
  /** Per client address; undefined turns the limit off (QUARRY_RATE_LIMIT=0). */
  rateLimit?: RateLimitPolicy | undefined;
  /** Page views held in memory at most (default `queuedViewsMax`). */
  queueMax?: number | undefined;
}

export class VisitCollector {
  readonly #context: AppContext;
  readonly #index: CompanyAddressIndex;
  readonly #flushIntervalMs: number;
  readonly #rateLimit: RateLimitPolicy | undefined;
  readonly #queueMax: number;
  readonly #buckets = new RateLimitBuckets();
  #queued: QueuedView[] = [];
  /** Views refused since the last flush because the queue was full: counted and logged there, never silent. */
  #queueFullSinceFlush = 0;
  #timer: NodeJS.Timeout | null = null;
  #writing: Promise<unknown> | null = null;
  #closed = false;

  constructor(context: AppContext, options: VisitCollectorOptions = {}) {
    this.#context = context;
    this.#index = new CompanyAddressIndex(context.store);
    this.#flushIntervalMs = options.flushIntervalMs ?? visitFlushIntervalMsDefault;
    this.#rateLimit = options.rateLimit;
    this.#queueMax = options.queueMax ?? queuedViewsMax;
  }

  /**
   * Builds the IP-to-company index now, so the first flush after a start does not wait for it;
   * unless no site is tracked at all: then no view can be recorded yet, and a server of a large
   * catalog starts without reading every range (the first flush builds it when needed).
   */
  async warm(): Promise<void> {
    if (!(await anySiteTracked(this.#context.store.readDb))) return;
    await this.#index.current();
  }

  /** True once the IP-to-company index has been built (by `warm` or a flush). */
  get indexBuilt(): boolean {
    return this.#index.built;
  }

  /** The cheap checks, then the queue. Never throws for any input. */
  accept(input: VisitInput): AcceptOutcome {
    if (isBotUserAgent(input.userAgent)) return 'bot';
    const page = pageOf(input.url);
    if (!page) return 'bad_url';
    const now = this.#context.clock.now();
    if (this.#rateLimit && !this.#buckets.take(input.address, this.#rateLimit, now).allowed) return 'rate_limited';
    if (this.#queued.length >= this.#queueMax) {
      this.#queueFullSinceFlush += 1;
      return 'queue_full';
    }
    this.#queued.push({ siteId: input.siteId, address: input.address, path: page.path, referrerHost: referrerHostOf(input.referrer, page.host), at: now });
    this.#schedule();
    return 'queued';
  }

  /** Writes every view queued so far (after any write already running); resolves with what they came to. */
  async flush(): Promise<FlushCounts> {
    while (this.#writing) await this.#writing.catch(() => undefined);
    const batch = this.#queued;
    this.#queued = [];
    const queueFull = this.#queueFullSinceFlush;
    this.#queueFullSinceFlush = 0;
    if (queueFull > 0) {
      // The database writes slower than the sites send: the operator needs to know (a faster
      // database, or more processes), and the count is all there is to say.
      this.#context.logger.warn({ views: queueFull, queueMax: this.#queueMax }, 'visit queue full: page views dropped');
    }
    const writing = this.#write(batch);
    this.#writing = writing;
    try {
      return { ...(await writing), queueFull };
    } finally {
      this.#writing = null;
    }
  }

  /** Stops the timer and writes what is queued; views accepted afterwards are dropped. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.flush();
  }

  async #write(batch: QueuedView[]): Promise<VisitCounts> {
    if (batch.length === 0) return { recorded: 0, unknownAddress: 0, unknownSite: 0, featureNotInPlan: 0, failed: 0 };
    return recordVisits(this.#context, await this.#index.current(), batch);
  }

  #schedule(): void {
    if (this.#timer || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.flush().catch((error: unknown) => {
        // The batch is lost (the catalog version or the ranges could not be read); later ones are not.
        this.#context.logger.error({ err: error }, 'writing queued visits failed');
      });
    }, this.#flushIntervalMs);
    // A queued view does not keep a CLI or test process alive; close() writes what is left.
    this.#timer.unref();
  }
}
