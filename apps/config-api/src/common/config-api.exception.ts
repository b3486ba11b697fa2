/** Why the API refused a request; each code maps to exactly one problem type (see problem-details.util). */
export enum ConfigApiErrorCode {
  Unauthenticated = 'unauthenticated',
  Forbidden = 'forbidden',
  NotFound = 'not_found',
  InvalidRequest = 'invalid_request',
  LastAdminToken = 'last_admin_token',
  SiteNotBpo = 'site_not_bpo',
  SiteHasIntegration = 'site_has_integration',
  SftpUsernameUnavailable = 'sftp_username_unavailable',
  InvalidSshKey = 'invalid_ssh_key',
  SshKeyExists = 'ssh_key_exists',
  SshKeyLimit = 'ssh_key_limit',
  InvalidPattern = 'invalid_pattern',
  EventTypeNameTaken = 'event_type_name_taken',
  EventTypeInUse = 'event_type_in_use',
  DefaultScheduleUndeletable = 'default_schedule_undeletable',
  PlatformNotIntegrated = 'platform_not_integrated',
  PlatformAgentIdTaken = 'platform_agent_id_taken',
  InvalidImport = 'invalid_import',
  FileStillProcessing = 'file_still_processing',
  MappingRuleLimit = 'mapping_rule_limit',
}

/** A refusal the client can act on; `detail` says why in words a customer understands. */
export class ConfigApiException extends Error {
  override name = 'ConfigApiException';
  constructor(
    readonly code: ConfigApiErrorCode,
    readonly detail: string,
  ) {
    super(detail);
  }
}

/** A field-level problem, as validation reports it. */
export interface FieldProblem {
  field: string;
  problems: string[];
}

/** A request that failed validation, field by field. */
export class RequestValidationException extends Error {
  override name = 'RequestValidationException';
  constructor(readonly errors: FieldProblem[]) {
    super(`invalid ${errors.map((error) => error.field).join(', ')}`);
  }
}

/** The same answer whether the id does not exist or belongs to another organization. */
export function notFound(noun: string, id: string): ConfigApiException {
  return new ConfigApiException(ConfigApiErrorCode.NotFound, `${noun} ${id} not found`);
}

export function invalidField(field: string, problem: string): RequestValidationException {
  return new RequestValidationException([{ field, problems: [problem] }]);
}
