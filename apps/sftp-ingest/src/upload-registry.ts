import { Metrics } from '@bpo/service-kit';
import type { StagedFile } from './file-store.repository';
import type { StagedUpload, UploadResult } from './staged-upload';

export type UploadState =
  /** the write handle is open */
  | 'writing'
  /** the client closed the handle; size and hash are being computed */
  | 'closing'
  /** complete under a temporary name, waiting for a rename to a final name */
  | 'staged'
  /** being stored under its final name */
  | 'committing'
  /** refused, abandoned or replaced: its staging was dropped */
  | 'discarded';

/** An upload in progress, from OPEN until it is stored or discarded. */
export interface ActiveUpload {
  readonly integrationId: string;
  readonly sessionId: number;
  name: string;
  state: UploadState;
  readonly upload: StagedUpload;
  readonly staged: StagedFile;
  readonly startedAt: Date;
  /** Set once the client closed the handle of a complete upload. */
  result?: UploadResult;
}

/**
 * The uploads in progress on this server, by integration and name: two transfers never write the
 * same name at once, and `ls` shows an integration's uploads next to its received files.
 */
export class UploadRegistry {
  private readonly byIntegration = new Map<string, Map<string, ActiveUpload>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  find(integrationId: string, name: string): ActiveUpload | undefined {
    return this.byIntegration.get(integrationId)?.get(name);
  }

  list(integrationId: string): ActiveUpload[] {
    return [...(this.byIntegration.get(integrationId)?.values() ?? [])];
  }

  add(upload: ActiveUpload): void {
    const names = this.byIntegration.get(upload.integrationId) ?? new Map<string, ActiveUpload>();
    if (names.has(upload.name)) throw new Error(`${upload.name} is already registered`);
    names.set(upload.name, upload);
    this.byIntegration.set(upload.integrationId, names);
    this.count += 1;
    Metrics.sftpActiveUploads.inc();
  }

  remove(upload: ActiveUpload): void {
    const names = this.byIntegration.get(upload.integrationId);
    if (names?.get(upload.name) !== upload) return;
    names.delete(upload.name);
    if (names.size === 0) this.byIntegration.delete(upload.integrationId);
    this.count -= 1;
    Metrics.sftpActiveUploads.dec();
  }

  rename(upload: ActiveUpload, name: string): void {
    this.remove(upload);
    upload.name = name;
    this.add(upload);
  }
}
