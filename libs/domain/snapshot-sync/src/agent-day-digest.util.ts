/**
 * Agent-day digests: how the parser recognises, without anything but the file and a table of
 * numbers, the agent-days a re-sent file leaves as they are, and leaves their rows out.
 *
 * A digest is the sum, modulo 2^52, of a 52-bit hash of each row (activity, start, end) of one
 * agent's day: independent of the rows' order, and whole numbers JSON and a bigint column carry
 * exactly. Equal digests stand for equal rows (a chance collision is about 2^-52 per agent-day);
 * they say nothing of how rows map, so the writer checks that the mapping rules, the agent and the
 * schedule are the same as when the stored digest was applied before it keeps the stored events.
 */

const TWO_32 = 2 ** 32;
/** Digests and hashes are below this. */
export const DIGEST_MODULUS = 2 ** 52;
const HIGH_MASK = 0xfffff; // the top 20 of the 52 bits

/** Murmur3's finaliser: spreads every input bit over the 32 output bits. */
function mix32(value: number): number {
  let h = value | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Two independent 32-bit FNV-1a hashes of a text, mixed: the halves of a 52-bit hash. */
function textHalves(text: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    a = Math.imul(a ^ code, 0x01000193);
    b = Math.imul(b ^ code, 0x01000193) ^ (b >>> 15);
  }
  return [mix32(a ^ text.length), mix32(b + Math.imul(text.length, 0x9e3779b1))];
}

function join52(high: number, low: number): number {
  return (high & HIGH_MASK) * TWO_32 + (low >>> 0);
}

/** A 52-bit hash of a text. Never 0 (0 marks an empty slot in DigestTable). */
export function hashText(text: string): number {
  const [high, low] = textHalves(text);
  return join52(high, low) || 1;
}

/** The key an agent-day is looked up by: its platform agent id and its day (YYYY-MM-DD). */
export function agentDayKey(platformAgentId: string, day: string): number {
  return hashText(`${platformAgentId}\n${day}`);
}

/** A row's 52-bit hash from its activity's hash (hashText) and its instants (epoch ms). */
export function rowHash(activityHash: number, startAt: number, endAt: number): number {
  const activityLow = activityHash % TWO_32;
  const activityHigh = Math.floor(activityHash / TWO_32);
  const startLow = startAt % TWO_32;
  const startHigh = Math.floor(startAt / TWO_32);
  const endLow = endAt % TWO_32;
  const endHigh = Math.floor(endAt / TWO_32);
  let a = mix32(activityLow ^ mix32(startLow + 0x7f4a7c15) ^ Math.imul(startHigh + 1, 0x9e3779b1));
  let b = mix32(activityHigh ^ mix32(endLow + 0x165667b1) ^ Math.imul(endHigh + 1, 0x27d4eb2f));
  a = mix32(a ^ Math.imul(b, 0xcc9e2d51));
  b = mix32(b ^ (a >>> 7) ^ Math.imul(a, 0x1b873593));
  return join52(a, b);
}

/** Adds a row's hash (or another digest) to a digest. */
export function addToDigest(digest: number, hash: number): number {
  return (digest + hash) % DIGEST_MODULUS;
}

/**
 * Agent-day keys (52-bit, never 0) in a flat array, by open addressing: at most three quarters
 * full, doubled when it would be fuller. A JS Set or Map of a 5,000,000-row file's 1.4 million
 * agent-days would hold about 100 MB; this holds 16. A subclass keeps its values in arrays of the
 * same slots, moved along when the table grows (`resized`).
 */
abstract class AgentDayKeySlots {
  protected keys: Float64Array;
  protected mask: number;
  /** Whether the last slotFor added its key. */
  protected added = false;
  private count = 0;

  /** `expected`: how many keys it will likely hold (it grows past that). */
  constructor(expected: number) {
    let slots = 16;
    while (slots * 3 < expected * 4) slots *= 2;
    this.keys = new Float64Array(slots);
    this.mask = slots - 1;
  }

  get size(): number {
    return this.count;
  }

  /** The key's slot, or -1 when it is not in the table. */
  protected slotOf(key: number): number {
    for (let slot = homeSlot(key, this.mask); this.keys[slot] !== 0; slot = (slot + 1) & this.mask) if (this.keys[slot] === key) return slot;
    return -1;
  }

  /** The key's slot, the key added first when it is not in the table (growing it if need be; `added` says which). */
  protected slotFor(key: number): number {
    let slot = homeSlot(key, this.mask);
    for (; this.keys[slot] !== 0; slot = (slot + 1) & this.mask) {
      if (this.keys[slot] === key) {
        this.added = false;
        return slot;
      }
    }
    if ((this.count + 1) * 4 > this.keys.length * 3) {
      this.grow();
      return this.slotFor(key);
    }
    this.keys[slot] = key;
    this.count += 1;
    this.added = true;
    return slot;
  }

  /**
   * The table now has `slots` slots: the values start anew; returns what moves a value from its
   * slot in the table before (`from`) to its slot now (`to`).
   */
  protected abstract resized(slots: number): (from: number, to: number) => void;

  private grow(): void {
    const old = this.keys;
    this.keys = new Float64Array(old.length * 2);
    this.mask = this.keys.length - 1;
    const move = this.resized(this.keys.length);
    for (let from = 0; from < old.length; from += 1) {
      if (old[from] === 0) continue;
      let to = homeSlot(old[from], this.mask);
      while (this.keys[to] !== 0) to = (to + 1) & this.mask;
      this.keys[to] = old[from];
      move(from, to);
    }
  }
}

/** The home slot of a 52-bit key in a table of mask + 1 slots (a power of two). */
function homeSlot(key: number, mask: number): number {
  return mix32(key % TWO_32 ^ Math.imul(Math.floor(key / TWO_32), 0x9e3779b1)) & mask;
}

/** Stored digests by agent-day key: 32 MB for a 5,000,000-row file's 1.4 million agent-days. */
export class DigestTable extends AgentDayKeySlots {
  private digests: Float64Array;
  /** Which stored agent-days the file being read listed already (see markListed); made at first use. */
  private listed: Uint8Array | null = null;

  constructor(expected = 0) {
    super(expected);
    this.digests = new Float64Array(this.keys.length);
  }

  set(key: number, digest: number): void {
    const slot = this.slotFor(key); // first: it may grow the table, and replace `digests`
    this.digests[slot] = digest;
  }

  /**
   * Notes that the file being read lists this stored agent-day: false the first time, true when
   * it listed it already; undefined when nothing is stored for it (see AgentDaysSeen). One byte a
   * slot: a re-sync tells repeated agent-days apart without a second table of their keys.
   */
  markListed(key: number): boolean | undefined {
    const slot = this.slotOf(key);
    if (slot < 0) return undefined;
    this.listed ??= new Uint8Array(this.keys.length);
    if (this.listed[slot] === 1) return true;
    this.listed[slot] = 1;
    return false;
  }

  /** The digest stored for the key, or -1. */
  get(key: number): number {
    const slot = this.slotOf(key);
    return slot < 0 ? -1 : this.digests[slot];
  }

  protected resized(slots: number): (from: number, to: number) => void {
    const previous = this.digests;
    this.digests = new Float64Array(slots);
    this.listed = null; // filled while a file is read, after the table was (no growth then)
    return (from, to) => {
      this.digests[to] = previous[from];
    };
  }
}

/**
 * Which agent-days (by agentDayKey) a file listed already: 8 bytes a slot, and on a re-sync only
 * the agent-days nothing is stored for (the others are noted in the DigestTable).
 */
export class AgentDaysSeen extends AgentDayKeySlots {
  constructor() {
    super(3072);
  }

  /** Adds the key (never 0: agentDayKey is not); true when it was there already. */
  add(key: number): boolean {
    this.slotFor(key);
    return !this.added;
  }

  protected resized(): () => void {
    return () => undefined; // keys only
  }
}

/** A row as the parser reads it, reduced to what a run needs. */
export interface DigestRow {
  platformAgentId: string;
  day: string;
  activity: string;
}

/** Consecutive rows of one agent's day, closed: its rows are sent, or left out as unchanged. */
export interface AgentDayRun<Row> {
  platformAgentId: string;
  day: string;
  digest: number;
  rows: Row[];
  /** The digest equals the stored one: the rows need not travel. */
  unchanged: boolean;
}

export interface AgentDayRunsOptions {
  /** Digests of the agent-days as last applied; null when nothing may be left out (a file read in full). */
  stored: DigestTable | null;
  /** Days before this one (YYYY-MM-DD) are always sent: the past-day rule decides them at apply time. */
  firstSkippableDay: string;
  /** A run is closed at this many rows, so what is held stays bounded whatever the file. */
  maxRunRows?: number;
}

/** Rows a run holds at most; a real agent-day has a handful. */
export const MAX_RUN_ROWS = 1000;

/**
 * Groups a file's rows, in file order, into runs of consecutive rows of one agent-day, and tells
 * for each closed run whether it is unchanged (its digest is the stored one). A file that lists an
 * agent-day in several places gives several runs for it; none alone matches what was stored for
 * the whole agent-day (but in the rare case one does, the writer sees the agent-day twice and reads
 * the file again in full).
 */
export class AgentDayRuns<Row extends DigestRow> {
  private readonly activityHashes = new Map<string, number>();
  private readonly maxRunRows: number;
  private readonly seen = new AgentDaysSeen();
  private repeats = 0;
  private current: { platformAgentId: string; day: string; digest: number; rows: Row[] } | null = null;

  constructor(private readonly options: AgentDayRunsOptions) {
    this.maxRunRows = options.maxRunRows ?? MAX_RUN_ROWS;
  }

  /** Adds a row (with its instants in epoch ms); returns the run it closed, if any. */
  push(row: Row, startAt: number, endAt: number): AgentDayRun<Row> | null {
    let closed: AgentDayRun<Row> | null = null;
    const current = this.current;
    if (current && (current.platformAgentId !== row.platformAgentId || current.day !== row.day || current.rows.length >= this.maxRunRows)) {
      closed = this.close();
    }
    if (!this.current) this.current = { platformAgentId: row.platformAgentId, day: row.day, digest: 0, rows: [] };
    this.current.rows.push(row);
    this.current.digest = addToDigest(this.current.digest, rowHash(this.activityHash(row.activity), startAt, endAt));
    return closed;
  }

  /** Closes the last run. */
  finish(): AgentDayRun<Row> | null {
    return this.current ? this.close() : null;
  }

  /** Closes the open run before its end (its rows weigh too much to wait): it is sent, never left out. */
  cut(): AgentDayRun<Row> | null {
    return this.current ? this.close(true) : null;
  }

  /**
   * Runs closed for an agent-day that an earlier run of the file had closed already (a file that
   * lists an agent-day in several places, or a run cut short). While it is 0, every agent-day came
   * in one run, and the writer need not look for agent-days listed twice.
   */
  get repeatedAgentDays(): number {
    return this.repeats;
  }

  private close(cut = false): AgentDayRun<Row> {
    const { platformAgentId, day, digest, rows } = this.current!;
    this.current = null;
    const { stored, firstSkippableDay } = this.options;
    const key = agentDayKey(platformAgentId, day);
    // Stored agent-days (most of a re-sent file's) are noted in the stored table; only the others take a key here.
    if (stored?.markListed(key) ?? this.seen.add(key)) this.repeats += 1;
    const unchanged = !cut && stored !== null && day >= firstSkippableDay && rows.length < this.maxRunRows && stored.get(key) === digest;
    return { platformAgentId, day, digest, rows, unchanged };
  }

  private activityHash(activity: string): number {
    let hash = this.activityHashes.get(activity);
    if (hash === undefined) {
      hash = hashText(activity);
      // Activities are few; a hostile file with millions of distinct ones only loses the cache.
      if (this.activityHashes.size < 10_000) this.activityHashes.set(activity, hash);
    }
    return hash;
  }
}
