import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  describeProblem,
  ExposureApiError,
  toBackstageError,
} from '@exposure-api/backstage-plugin-exposure-api-node';

/**
 * Runs a call to exposure-api; a problem it answers is written to the task log — title, detail and
 * each field at fault — and thrown as the matching Backstage error.
 */
export async function logProblem<T>(logger: LoggerService, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ExposureApiError) logger.error(`exposure-api refused: ${describeProblem(error)}`);
    throw toBackstageError(error);
  }
}
