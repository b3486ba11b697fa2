import { HttpStatus } from '@nestjs/common';
import { ConfigApiErrorCode } from './config-api.exception';

/** RFC 7807 problem document; extension members (code, errors) are allowed by the RFC. */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code?: string;
  errors?: { field: string; problems: string[] }[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problemType(code: string): string {
  return `urn:problem:bpo-schedule-sync:${code}`;
}

/** One exhaustive switch: adding a code without deciding its status and title fails to compile. */
export function problemFor(code: ConfigApiErrorCode): { status: HttpStatus; title: string } {
  switch (code) {
    case ConfigApiErrorCode.Unauthenticated:
      return { status: HttpStatus.UNAUTHORIZED, title: 'Missing or unknown token' };
    case ConfigApiErrorCode.Forbidden:
      return { status: HttpStatus.FORBIDDEN, title: 'Token not allowed to do this' };
    case ConfigApiErrorCode.NotFound:
      return { status: HttpStatus.NOT_FOUND, title: 'Not found' };
    case ConfigApiErrorCode.InvalidRequest:
      return { status: HttpStatus.BAD_REQUEST, title: 'Invalid request' };
    case ConfigApiErrorCode.LastAdminToken:
      return { status: HttpStatus.CONFLICT, title: 'Last admin token' };
    case ConfigApiErrorCode.SiteNotBpo:
      return { status: HttpStatus.CONFLICT, title: 'Site is not a BPO' };
    case ConfigApiErrorCode.SiteHasIntegration:
      return { status: HttpStatus.CONFLICT, title: 'Site has an integration' };
    case ConfigApiErrorCode.FileStillProcessing:
      return { status: HttpStatus.CONFLICT, title: 'File still processing' };
    case ConfigApiErrorCode.SftpUsernameUnavailable:
      return { status: HttpStatus.CONFLICT, title: 'No free SFTP username' };
    case ConfigApiErrorCode.InvalidSshKey:
      return { status: HttpStatus.BAD_REQUEST, title: 'Invalid SSH public key' };
    case ConfigApiErrorCode.SshKeyExists:
      return { status: HttpStatus.CONFLICT, title: 'SSH key already added' };
    case ConfigApiErrorCode.SshKeyLimit:
      return { status: HttpStatus.CONFLICT, title: 'Too many SSH keys' };
    case ConfigApiErrorCode.InvalidPattern:
      return { status: HttpStatus.BAD_REQUEST, title: 'Invalid pattern' };
    case ConfigApiErrorCode.EventTypeNameTaken:
      return { status: HttpStatus.CONFLICT, title: 'Event type name taken' };
    case ConfigApiErrorCode.EventTypeInUse:
      return { status: HttpStatus.CONFLICT, title: 'Event type in use' };
    case ConfigApiErrorCode.DefaultScheduleUndeletable:
      return { status: HttpStatus.CONFLICT, title: 'Default schedule cannot be deleted' };
    case ConfigApiErrorCode.PlatformNotIntegrated:
      return { status: HttpStatus.CONFLICT, title: 'Platform not integrated at this site' };
    case ConfigApiErrorCode.PlatformAgentIdTaken:
      return { status: HttpStatus.CONFLICT, title: 'Platform agent ID taken' };
    case ConfigApiErrorCode.MappingRuleLimit:
      return { status: HttpStatus.CONFLICT, title: 'Too many mapping rules' };
    case ConfigApiErrorCode.InvalidImport:
      return { status: HttpStatus.BAD_REQUEST, title: 'Invalid import file' };
    default: {
      const unhandled: never = code;
      throw new Error(`no problem mapping for ${String(unhandled)}`);
    }
  }
}
