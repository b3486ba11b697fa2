import { Logger } from '@nestjs/common';
import { utils, type Attributes, type FileEntry, type SFTPWrapper } from 'ssh2';
import { withSpan } from '@bpo/service-kit';
import type { ChunkPlacement, FileStore, StoredFile } from './file-store.repository';
import type { SftpAccount } from './sftp-account.repository';
import { canonicalPath, classifyUploadName, longName, resolvePath, type ListingEntry, type ResolvedPath } from './sftp-names.util';
import { StagedUpload, type UploadResult } from './staged-upload';
import type { ActiveUpload, UploadRegistry } from './upload-registry';

const { OPEN_MODE, STATUS_CODE } = utils.sftp;

/** Largest DATA reply to a READ (OpenSSH asks for 32 KiB at a time). */
const MAX_READ_BYTES = 64 * 1024;
/** Directory entries per READDIR reply. */
const LISTING_BATCH = 100;
const FILE_MODE = 0o100644;
const LOGGED_REFUSALS = new Set(['OPEN', 'CLOSE', 'RENAME']);
const FOLDER_MODE = 0o040755;

export interface SessionDependencies {
  account: SftpAccount;
  store: FileStore;
  uploads: UploadRegistry;
  maxFileBytes: number;
  /** Uploads in progress allowed on this server (each may hold a database connection)... */
  maxActiveUploads: number;
  /** ...and for one integration. */
  maxActiveUploadsPerIntegration: number;
  /** An upload not stored this long after it was opened is discarded. */
  maxUploadMs: number;
  /** An upload receiving fewer bytes per second than this over `rateWindowMs` is discarded (0: no minimum). */
  minBytesPerSecond: number;
  rateWindowMs: number;
  now: () => Date;
}

/** What an upload had received at a moment (for its transfer rate). */
interface Sample {
  at: number;
  bytes: number;
}

type OpenHandle =
  | { kind: 'upload'; entry: ActiveUpload; failure?: string }
  | { kind: 'read'; file: StoredFile; placements: ChunkPlacement[] }
  | { kind: 'folder'; entries?: FileEntry[]; position: number };

class RequestRefused extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

/**
 * One integration's SFTP session over its virtual folder: a root `/` holding its received files and
 * its uploads in progress, and nothing else. Every path is resolved by the pure rules of
 * sftp-names.util; nothing here touches a real filesystem.
 *
 * Uploads:
 * - OPEN for writing checks the name (a final `.csv` name, or a temporary name such as `x.csv.part`)
 *   and, for a final name, that it was not received before; refusals carry the reason.
 * - WRITEs stream through a StagedUpload into the store's staging (one open transaction).
 * - CLOSE of a final name is the arrival: size and SHA-256 are fixed and the file, its sync run and
 *   its `file-received` message are committed together. CLOSE of a temporary name keeps the complete
 *   upload staged; RENAME to a final name is then the arrival (the name is checked at that moment).
 * - A temporary upload never renamed, or any upload whose session ends before CLOSE (disconnect,
 *   `bye` mid-transfer), is discarded: its transaction is rolled back, nothing is stored or sent.
 *
 * Refused: SETSTAT, REMOVE, MKDIR, RMDIR, SYMLINK, READLINK (PERMISSION_DENIED), appending and
 * extensions (OP_UNSUPPORTED). FSETSTAT on an open handle is accepted and ignored (clients send it
 * to preserve times). READ is allowed on the integration's own received files.
 */
export class SftpSession {
  private readonly logger = new Logger(SftpSession.name);
  private readonly handles = new Map<number, OpenHandle>();
  private readonly inFlight = new Set<Promise<void>>();
  private nextHandle = 1;
  private ended?: Promise<void>;
  /** Recent samples of each of this session's uploads, oldest first. */
  private readonly samples = new Map<ActiveUpload, Sample[]>();

  constructor(
    readonly id: number,
    private readonly sftp: SFTPWrapper,
    private readonly deps: SessionDependencies,
  ) {
    sftp.on('OPEN', (reqid: number, filename: string, flags: number) => this.run(reqid, 'OPEN', () => this.open(reqid, filename, flags), { path: filename }));
    sftp.on('WRITE', (reqid: number, handle: Buffer, offset: number, data: Buffer) => this.write(reqid, handle, offset, data));
    sftp.on('CLOSE', (reqid: number, handle: Buffer) => this.run(reqid, 'CLOSE', () => this.close(reqid, handle)));
    sftp.on('READ', (reqid: number, handle: Buffer, offset: number, length: number) =>
      this.run(reqid, 'READ', () => this.read(reqid, handle, offset, length)),
    );
    sftp.on('FSTAT', (reqid: number, handle: Buffer) => this.run(reqid, 'FSTAT', () => this.fstat(reqid, handle)));
    sftp.on('FSETSTAT', (reqid: number, handle: Buffer) =>
      this.run(reqid, 'FSETSTAT', async () => {
        this.openHandle(handle);
        this.sftp.status(reqid, STATUS_CODE.OK);
      }),
    );
    sftp.on('OPENDIR', (reqid: number, path: string) => this.run(reqid, 'OPENDIR', () => this.openFolder(reqid, path)));
    sftp.on('READDIR', (reqid: number, handle: Buffer) => this.run(reqid, 'READDIR', () => this.readFolder(reqid, handle)));
    sftp.on('STAT', (reqid: number, path: string) => this.run(reqid, 'STAT', () => this.stat(reqid, path)));
    sftp.on('LSTAT', (reqid: number, path: string) => this.run(reqid, 'LSTAT', () => this.stat(reqid, path)));
    sftp.on('REALPATH', (reqid: number, path: string) => this.run(reqid, 'REALPATH', async () => this.realPath(reqid, path)));
    sftp.on('RENAME', (reqid: number, from: string, to: string) => this.run(reqid, 'RENAME', () => this.rename(reqid, from, to), { path: from, to }));
    const refuse = (message: string) => (reqid: number) => this.sftp.status(reqid, STATUS_CODE.PERMISSION_DENIED, message);
    sftp.on('SETSTAT', refuse('changing file attributes is not allowed'));
    sftp.on('REMOVE', refuse('files cannot be removed'));
    sftp.on('MKDIR', refuse('folders cannot be created: upload files to the root folder'));
    sftp.on('RMDIR', refuse('folders cannot be removed'));
    sftp.on('SYMLINK', refuse('links cannot be created'));
    sftp.on('READLINK', (reqid: number) => this.sftp.status(reqid, STATUS_CODE.OP_UNSUPPORTED, 'there are no links'));
    sftp.on('EXTENDED', (reqid: number, name: string) => this.sftp.status(reqid, STATUS_CODE.OP_UNSUPPORTED, `${name} is not supported`));
  }

  private get account(): SftpAccount {
    return this.deps.account;
  }

  /**
   * The session is over (channel closed, client gone or server stopping): discards its uploads that
   * have not arrived and waits for the ones arriving right now to finish.
   */
  end(): Promise<void> {
    this.ended ??= this.discardAll();
    return this.ended;
  }

  /**
   * Discards this session's uploads that have taken longer than `maxUploadMs`, or received less than
   * `minBytesPerSecond` on average over the last `rateWindowMs` (an upload's first window is free; an
   * upload complete under a temporary name receives nothing, so it must be renamed within a window).
   * Called every few seconds by the server.
   */
  enforceUploadLimits(now: number): void {
    const { maxUploadMs, minBytesPerSecond, rateWindowMs } = this.deps;
    for (const [entry] of this.samples) if (entry.state === 'discarded' || entry.state === 'committing' || this.deps.uploads.find(entry.integrationId, entry.name) !== entry) this.samples.delete(entry);
    const mine = this.deps.uploads.list(this.account.integrationId).filter((entry) => entry.sessionId === this.id && (entry.state === 'writing' || entry.state === 'staged'));
    for (const entry of mine) {
      const bytes = entry.upload.receivedBytes;
      const samples = this.samples.get(entry) ?? [{ at: entry.startedAt.getTime(), bytes: 0 }];
      samples.push({ at: now, bytes });
      this.samples.set(entry, samples);
      if (now - entry.startedAt.getTime() > maxUploadMs) {
        this.expire(entry, `the upload took longer than ${Math.round(maxUploadMs / 1000)} s; it was discarded`);
        continue;
      }
      // The newest sample at least a window old; older ones are no longer needed.
      let base = -1;
      for (let index = 0; index < samples.length && now - samples[index].at >= rateWindowMs; index += 1) base = index;
      if (base < 0 || minBytesPerSecond <= 0) continue;
      samples.splice(0, base);
      const [from] = samples;
      const rate = ((bytes - from.bytes) * 1000) / (now - from.at);
      if (rate < minBytesPerSecond) {
        this.expire(
          entry,
          entry.state === 'staged'
            ? `the upload was not renamed to a final name within ${Math.round(rateWindowMs / 1000)} s; it was discarded`
            : `the upload was slower than ${minBytesPerSecond} bytes/s over ${Math.round(rateWindowMs / 1000)} s; it was discarded`,
        );
      }
    }
  }

  /** Discards an upload on the server's initiative; its handle then answers every request with the reason. */
  private expire(entry: ActiveUpload, reason: string): void {
    this.samples.delete(entry);
    for (const handle of this.handles.values()) if (handle.kind === 'upload' && handle.entry === entry) handle.failure ??= reason;
    this.track(this.discard(entry, reason));
  }

  private async discardAll(): Promise<void> {
    const unfinished = this.deps.uploads
      .list(this.account.integrationId)
      .filter((entry) => entry.sessionId === this.id && (entry.state === 'writing' || entry.state === 'staged'));
    await Promise.all(
      unfinished.map((entry) =>
        this.discard(entry, entry.state === 'writing' ? 'the session ended before the file was closed' : 'the session ended before it was renamed to a final name'),
      ),
    );
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    this.handles.clear();
    this.samples.clear();
  }

  // --- uploads -------------------------------------------------------------------------------

  private async open(reqid: number, filename: string, flags: number): Promise<void> {
    const path = resolvePath(filename);
    if (flags & OPEN_MODE.WRITE) return this.openForWriting(reqid, path, flags);
    return this.openForReading(reqid, path);
  }

  private async openForWriting(reqid: number, path: ResolvedPath, flags: number): Promise<void> {
    if (path.kind === 'outside') throw new RequestRefused(STATUS_CODE.PERMISSION_DENIED, path.reason);
    if (path.kind === 'root') throw new RequestRefused(STATUS_CODE.FAILURE, '/ is a folder');
    if (flags & OPEN_MODE.APPEND) throw new RequestRefused(STATUS_CODE.OP_UNSUPPORTED, 'appending is not supported: upload the whole file');
    const name = path.name;
    const kind = classifyUploadName(name);
    if (kind.kind === 'invalid') throw new RequestRefused(STATUS_CODE.FAILURE, kind.reason);
    const { integrationId } = this.account;
    const current = this.deps.uploads.find(integrationId, name);
    if (current) {
      // Uploading again to one's own temporary name that waits for a rename replaces it.
      if (current.sessionId !== this.id || current.state !== 'staged') throw new RequestRefused(STATUS_CODE.FAILURE, `${name} is being uploaded already`);
      await this.discard(current, 'replaced by a new upload to the same name');
    }
    if (this.deps.uploads.list(integrationId).length >= this.deps.maxActiveUploadsPerIntegration) {
      throw new RequestRefused(STATUS_CODE.FAILURE, `at most ${this.deps.maxActiveUploadsPerIntegration} uploads at a time: close or rename the others first`);
    }
    if (this.deps.uploads.size >= this.deps.maxActiveUploads) {
      throw new RequestRefused(STATUS_CODE.FAILURE, 'too many uploads in progress on this server: try again in a moment');
    }
    const staged = this.deps.store.stage(this.account);
    const entry: ActiveUpload = {
      integrationId,
      sessionId: this.id,
      name,
      state: 'writing',
      staged,
      upload: new StagedUpload(staged, { maxBytes: this.deps.maxFileBytes }),
      startedAt: this.deps.now(),
    };
    this.deps.uploads.add(entry); // reserves the name while we look it up
    try {
      if (kind.kind === 'final' && (await this.deps.store.findFile(integrationId, name))) {
        throw new RequestRefused(STATUS_CODE.FAILURE, alreadyReceived(name));
      }
      if (this.ended) throw new RequestRefused(STATUS_CODE.FAILURE, 'the session is closing');
    } catch (error) {
      this.deps.uploads.remove(entry);
      await staged.discard();
      throw error;
    }
    this.logger.log({ message: 'upload started', integrationId, fileId: staged.fileId, filename: name, temporary: kind.kind === 'temporary' });
    this.sftp.handle(reqid, this.addHandle({ kind: 'upload', entry }));
  }

  /** Not `run`: the state of the upload must change synchronously, in the order WRITEs arrive. */
  private write(reqid: number, handleBytes: Buffer, offset: number, data: Buffer): void {
    const handle = this.findHandle(handleBytes);
    if (handle?.kind !== 'upload') return this.sftp.status(reqid, STATUS_CODE.FAILURE, 'not a file open for writing');
    if (handle.failure) return this.sftp.status(reqid, STATUS_CODE.FAILURE, handle.failure);
    if (handle.entry.state !== 'writing') return this.sftp.status(reqid, STATUS_CODE.FAILURE, 'the file is being closed');
    this.track(
      handle.entry.upload.write(offset, data).then(
        () => this.sftp.status(reqid, STATUS_CODE.OK),
        async (error: Error) => {
          if (!handle.failure) {
            handle.failure = error.message;
            await this.discard(handle.entry, error.message);
          }
          this.sftp.status(reqid, STATUS_CODE.FAILURE, handle.failure);
        },
      ),
    );
  }

  private async close(reqid: number, handleBytes: Buffer): Promise<void> {
    const handle = this.openHandle(handleBytes);
    this.handles.delete(handleBytes.readUInt32BE(0));
    if (handle.kind !== 'upload') return this.sftp.status(reqid, STATUS_CODE.OK);
    if (handle.failure) throw new RequestRefused(STATUS_CODE.FAILURE, handle.failure);
    const entry = handle.entry;
    entry.state = 'closing';
    let result: UploadResult;
    try {
      result = await entry.upload.finish();
    } catch (error) {
      await this.discard(entry, (error as Error).message);
      throw new RequestRefused(STATUS_CODE.FAILURE, (error as Error).message);
    }
    entry.result = result;
    if (classifyUploadName(entry.name).kind === 'final') {
      if (!(await this.arrive(entry, result))) {
        await this.discard(entry, 'the name was received meanwhile');
        throw new RequestRefused(STATUS_CODE.FAILURE, alreadyReceived(entry.name));
      }
      return this.sftp.status(reqid, STATUS_CODE.OK);
    }
    entry.state = 'staged';
    if (this.ended) {
      await this.discard(entry, 'the session ended before it was renamed to a final name');
      throw new RequestRefused(STATUS_CODE.FAILURE, 'the session is closing');
    }
    this.logger.log({ message: 'upload complete under a temporary name, waiting for a rename', integrationId: entry.integrationId, fileId: entry.staged.fileId, filename: entry.name, sizeBytes: result.sizeBytes });
    this.sftp.status(reqid, STATUS_CODE.OK);
  }

  private async rename(reqid: number, fromPath: string, toPath: string): Promise<void> {
    const from = resolvePath(fromPath);
    const to = resolvePath(toPath);
    for (const path of [from, to]) {
      if (path.kind === 'outside') throw new RequestRefused(STATUS_CODE.PERMISSION_DENIED, path.reason);
      if (path.kind === 'root') throw new RequestRefused(STATUS_CODE.PERMISSION_DENIED, 'the root folder cannot be renamed or replaced');
    }
    if (from.kind !== 'file' || to.kind !== 'file') return;
    const { integrationId } = this.account;
    const entry = this.deps.uploads.find(integrationId, from.name);
    if (!entry) {
      if (await this.deps.store.findFile(integrationId, from.name)) throw new RequestRefused(STATUS_CODE.PERMISSION_DENIED, 'received files cannot be renamed');
      throw new RequestRefused(STATUS_CODE.NO_SUCH_FILE, `no such file: ${from.name}`);
    }
    if (entry.sessionId !== this.id) throw new RequestRefused(STATUS_CODE.FAILURE, `${from.name} is being uploaded by another connection`);
    if (entry.state !== 'staged' || !entry.result) throw new RequestRefused(STATUS_CODE.FAILURE, `${from.name} is still open: close it before renaming it`);
    if (from.name === to.name) return this.sftp.status(reqid, STATUS_CODE.OK);
    const kind = classifyUploadName(to.name);
    if (kind.kind === 'invalid') throw new RequestRefused(STATUS_CODE.FAILURE, kind.reason);
    if (this.deps.uploads.find(integrationId, to.name)) throw new RequestRefused(STATUS_CODE.FAILURE, `${to.name} is being uploaded already`);
    this.deps.uploads.rename(entry, to.name);
    if (kind.kind === 'temporary') return this.sftp.status(reqid, STATUS_CODE.OK);
    entry.state = 'committing';
    const stored = !(await this.deps.store.findFile(integrationId, to.name)) && (await this.arrive(entry, entry.result));
    if (stored) return this.sftp.status(reqid, STATUS_CODE.OK);
    // The upload stays staged under its temporary name: the client may rename it to another name.
    if (this.ended || this.deps.uploads.find(integrationId, from.name)) {
      await this.discard(entry, `${to.name} was already received`);
    } else {
      this.deps.uploads.rename(entry, from.name);
      entry.state = 'staged';
    }
    throw new RequestRefused(STATUS_CODE.FAILURE, alreadyReceived(to.name));
  }

  /**
   * Stores a complete upload under its (final) current name; false when that name was received before.
   * With tracing on, this is the file's trace: a root span from the upload's open to its commit, whose
   * context the file-received message carries on through every stage.
   */
  private arrive(entry: ActiveUpload, result: UploadResult): Promise<boolean> {
    const attributes = { 'bpo.integration_id': entry.integrationId, 'bpo.file_id': entry.staged.fileId, 'bpo.filename': entry.name, 'bpo.file.bytes': result.sizeBytes };
    return withSpan('sftp-ingest upload', { root: true, startTime: entry.startedAt, attributes }, () => this.storeUpload(entry, result));
  }

  private async storeUpload(entry: ActiveUpload, result: UploadResult): Promise<boolean> {
    entry.state = 'committing';
    const fields = { integrationId: entry.integrationId, fileId: entry.staged.fileId, filename: entry.name };
    let outcome;
    try {
      outcome = await entry.staged.commit({ filename: entry.name, sizeBytes: result.sizeBytes, sha256: result.sha256, receivedAt: this.deps.now() });
    } catch (error) {
      this.logger.error({ message: 'file could not be stored', ...fields, error: (error as Error).message });
      await this.discard(entry, 'storing failed');
      throw new RequestRefused(STATUS_CODE.FAILURE, 'the file could not be stored: please upload it again');
    }
    if (outcome.kind === 'duplicate') return false;
    this.deps.uploads.remove(entry);
    this.logger.log({ message: 'file received', ...fields, syncRunId: outcome.syncRunId, sizeBytes: result.sizeBytes, sha256: result.sha256 });
    return true;
  }

  private async discard(entry: ActiveUpload, reason: string): Promise<void> {
    if (entry.state === 'discarded') return;
    entry.state = 'discarded';
    this.deps.uploads.remove(entry);
    entry.upload.abort(reason);
    this.logger.log({ message: 'upload discarded', integrationId: entry.integrationId, fileId: entry.staged.fileId, filename: entry.name, reason });
    try {
      await entry.staged.discard();
    } catch (error) {
      this.logger.warn({ message: 'discarding an upload failed', integrationId: entry.integrationId, fileId: entry.staged.fileId, error: (error as Error).message });
    }
  }

  // --- reading and listing -------------------------------------------------------------------

  private async openForReading(reqid: number, path: ResolvedPath): Promise<void> {
    if (path.kind === 'outside') throw new RequestRefused(STATUS_CODE.NO_SUCH_FILE, path.reason);
    if (path.kind === 'root') throw new RequestRefused(STATUS_CODE.FAILURE, '/ is a folder');
    const file = await this.deps.store.findFile(this.account.integrationId, path.name);
    if (!file) {
      if (this.deps.uploads.find(this.account.integrationId, path.name)) throw new RequestRefused(STATUS_CODE.FAILURE, `${path.name} is still being uploaded`);
      throw new RequestRefused(STATUS_CODE.NO_SUCH_FILE, `no such file: ${path.name}`);
    }
    const placements = await this.deps.store.chunkPlacements(file.fileId);
    this.sftp.handle(reqid, this.addHandle({ kind: 'read', file, placements }));
  }

  private async read(reqid: number, handleBytes: Buffer, offset: number, length: number): Promise<void> {
    const handle = this.openHandle(handleBytes);
    if (handle.kind !== 'read') throw new RequestRefused(STATUS_CODE.FAILURE, 'not a file open for reading');
    const placement = handle.placements.find((candidate) => offset >= candidate.offset && offset < candidate.offset + candidate.length);
    if (!placement) return this.sftp.status(reqid, STATUS_CODE.EOF);
    const start = offset - placement.offset;
    const data = await this.deps.store.readChunk(handle.file.fileId, placement.seq, start, Math.min(length, MAX_READ_BYTES, placement.length - start));
    this.sftp.data(reqid, data);
  }

  private async openFolder(reqid: number, rawPath: string): Promise<void> {
    const path = resolvePath(rawPath);
    if (path.kind === 'outside') throw new RequestRefused(STATUS_CODE.NO_SUCH_FILE, path.reason);
    if (path.kind === 'file') {
      const exists = (await this.lookUp(path.name)) !== undefined;
      throw new RequestRefused(exists ? STATUS_CODE.FAILURE : STATUS_CODE.NO_SUCH_FILE, exists ? `${path.name} is not a folder` : `no such folder: ${path.name}`);
    }
    this.sftp.handle(reqid, this.addHandle({ kind: 'folder', position: 0 }));
  }

  private async readFolder(reqid: number, handleBytes: Buffer): Promise<void> {
    const handle = this.openHandle(handleBytes);
    if (handle.kind !== 'folder') throw new RequestRefused(STATUS_CODE.FAILURE, 'not a folder handle');
    handle.entries ??= await this.listing();
    const batch = handle.entries.slice(handle.position, handle.position + LISTING_BATCH);
    handle.position += batch.length;
    if (batch.length === 0) return this.sftp.status(reqid, STATUS_CODE.EOF);
    this.sftp.name(reqid, batch);
  }

  /** The received files, then the uploads in progress (with their size so far). */
  private async listing(): Promise<FileEntry[]> {
    const { integrationId, username } = this.account;
    const received: ListingEntry[] = (await this.deps.store.listFiles(integrationId)).map((file) => ({
      name: file.filename,
      sizeBytes: file.sizeBytes,
      modifiedAt: file.receivedAt,
    }));
    const receivedNames = new Set(received.map((entry) => entry.name));
    const uploading: ListingEntry[] = this.deps.uploads
      .list(integrationId)
      .filter((entry) => !receivedNames.has(entry.name))
      .map((entry) => ({ name: entry.name, sizeBytes: entry.upload.receivedBytes, modifiedAt: entry.startedAt }));
    const now = this.deps.now();
    return [...received, ...uploading]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((entry) => ({ filename: entry.name, longname: longName(entry, username, now), attrs: fileAttributes(entry) }));
  }

  private async stat(reqid: number, rawPath: string): Promise<void> {
    const path = resolvePath(rawPath);
    if (path.kind === 'outside') throw new RequestRefused(STATUS_CODE.NO_SUCH_FILE, path.reason);
    if (path.kind === 'root') return this.sftp.attrs(reqid, folderAttributes(this.deps.now()));
    const entry = await this.lookUp(path.name);
    if (!entry) throw new RequestRefused(STATUS_CODE.NO_SUCH_FILE, `no such file: ${path.name}`);
    this.sftp.attrs(reqid, fileAttributes(entry));
  }

  private async fstat(reqid: number, handleBytes: Buffer): Promise<void> {
    const handle = this.openHandle(handleBytes);
    if (handle.kind === 'folder') return this.sftp.attrs(reqid, folderAttributes(this.deps.now()));
    const entry: ListingEntry =
      handle.kind === 'read'
        ? { name: handle.file.filename, sizeBytes: handle.file.sizeBytes, modifiedAt: handle.file.receivedAt }
        : { name: handle.entry.name, sizeBytes: handle.entry.upload.receivedBytes, modifiedAt: handle.entry.startedAt };
    this.sftp.attrs(reqid, fileAttributes(entry));
  }

  private realPath(reqid: number, rawPath: string): void {
    const path = canonicalPath(rawPath);
    if (path === null) throw new RequestRefused(STATUS_CODE.NO_SUCH_FILE, 'your folder has no sub-folders');
    this.sftp.name(reqid, [{ filename: path, longname: path, attrs: {} as Attributes }]);
  }

  private async lookUp(name: string): Promise<ListingEntry | undefined> {
    const upload = this.deps.uploads.find(this.account.integrationId, name);
    if (upload) return { name, sizeBytes: upload.upload.receivedBytes, modifiedAt: upload.startedAt };
    const file = await this.deps.store.findFile(this.account.integrationId, name);
    return file ? { name, sizeBytes: file.sizeBytes, modifiedAt: file.receivedAt } : undefined;
  }

  // --- plumbing -------------------------------------------------------------------------------

  /** Runs a request; a refusal becomes its status reply, anything unexpected a logged FAILURE. */
  private run(reqid: number, request: string, work: () => Promise<void>, fields: Record<string, string> = {}): void {
    this.track(
      work().catch((error: unknown) => {
        if (error instanceof RequestRefused) {
          // Refused uploads and renames are what support is asked about; lookups of missing names are routine.
          if (LOGGED_REFUSALS.has(request)) this.logger.log({ message: `${request} refused`, integrationId: this.account.integrationId, ...fields, reason: error.message });
          return this.sftp.status(reqid, error.code, error.message);
        }
        this.logger.error({ message: `${request} failed`, integrationId: this.account.integrationId, ...fields, error: (error as Error).message });
        this.sftp.status(reqid, STATUS_CODE.FAILURE, 'internal error');
      }),
    );
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private addHandle(handle: OpenHandle): Buffer {
    const id = this.nextHandle++;
    this.handles.set(id, handle);
    const bytes = Buffer.alloc(4);
    bytes.writeUInt32BE(id, 0);
    return bytes;
  }

  private findHandle(bytes: Buffer): OpenHandle | undefined {
    return bytes.length === 4 ? this.handles.get(bytes.readUInt32BE(0)) : undefined;
  }

  private openHandle(bytes: Buffer): OpenHandle {
    const handle = this.findHandle(bytes);
    if (!handle) throw new RequestRefused(STATUS_CODE.FAILURE, 'invalid handle');
    return handle;
  }
}

function alreadyReceived(name: string): string {
  return `${name} was already received: every file name is used once, upload the file under a new name`;
}

function seconds(at: Date): number {
  return Math.floor(at.getTime() / 1000);
}

function fileAttributes(entry: ListingEntry): Attributes {
  const time = seconds(entry.modifiedAt);
  return { mode: FILE_MODE, uid: 0, gid: 0, size: entry.sizeBytes, atime: time, mtime: time };
}

function folderAttributes(now: Date): Attributes {
  const time = seconds(now);
  return { mode: FOLDER_MODE, uid: 0, gid: 0, size: 0, atime: time, mtime: time };
}
