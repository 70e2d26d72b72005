/** Helpers for tests that drive Herald through the official `svix` SDK. */
import { ApiException } from 'svix';

/** Runs `call` and returns the `ApiException` it must throw. */
export async function apiError(call: () => Promise<unknown>): Promise<ApiException<unknown>> {
  try {
    await call();
  } catch (error) {
    if (error instanceof ApiException) return error;
    throw error;
  }
  throw new Error('expected the SDK call to fail with an ApiException');
}
