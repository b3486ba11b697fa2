import { Injectable, type PipeTransform } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { invalidField, RequestValidationException } from '../common/config-api.exception';
import { fieldProblems } from '../common/validation.util';
import { ImportAgentsDto } from './agent.dto';

/** An import arrives as a text/csv body or as JSON {csv}; either way the service gets the CSV text. */
@Injectable()
export class ImportBodyPipe implements PipeTransform<unknown, Promise<string>> {
  async transform(body: unknown): Promise<string> {
    if (typeof body === 'string') return body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidField('csv', 'send the CSV as a text/csv body, or as JSON {"csv": "..."}');
    const dto = plainToInstance(ImportAgentsDto, body);
    const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
    if (errors.length > 0) throw new RequestValidationException(fieldProblems(errors));
    return dto.csv;
  }
}
