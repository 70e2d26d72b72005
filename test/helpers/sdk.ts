/** Helpers for tests that drive Herald through the official `svix` SDK. */
import { ApiException, type BackgroundTaskOut, type Svix } from 'svix';

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

/** Follows a background task through the SDK until it is no longer running (about ten seconds at most). */
export async function settled(svix: Svix, id: string): Promise<BackgroundTaskOut> {
  for (let i = 0; i < 200; i++) {
    const task = await svix.backgroundTask.get(id);
    if (task.status !== 'running') return task;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`task ${id} still running`);
}
