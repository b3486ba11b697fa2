import 'reflect-metadata';
import { runService } from '@bpo/service-kit';
import { sftpIngestService } from './sftp-ingest.service-definition';

runService(sftpIngestService);
