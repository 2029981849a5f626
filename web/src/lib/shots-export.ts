/**
 * An export of the shot log, downloaded by the page rather than left to the
 * browser: a refused one (a token changed, the server gone or failing) was a
 * failed download in the browser's own list, and the page said nothing. Here
 * a refusal is an ApiError with the server's code (NETWORK when it cannot be
 * reached), for the view to show.
 */
import { ApiError } from './api.js';
import { attachmentName } from './shots-view-state.js';

/** Fetches `url` (a download URL, token included) and saves it under the server's file name, else `fallbackName`. */
export async function downloadExport(url: string, fallbackName: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new ApiError(0, 'NETWORK', `the server cannot be reached (${error instanceof Error ? error.message : String(error)}): check that shotscale runs and that this device reaches it, then try again`);
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
    throw new ApiError(response.status, body?.error?.code ?? `HTTP_${response.status}`, body?.error?.message ?? `the export failed with ${response.status}`);
  }
  const blob = await response.blob();
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = attachmentName(response.headers.get('content-disposition'), fallbackName);
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked once the browser has surely taken the file.
  setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
}
