/** The environment document as the dashboard reads it: enough to tell what a file holds. */
export const MIN_PASSPHRASE = 12;

export interface EnvironmentDocument {
  version?: number;
  createdAt: string;
  eventTypes?: unknown[] | null;
  applications?: Array<{ endpoints?: unknown[] }> | null;
  templates?: unknown[] | null;
  sealing?: unknown;
}

export interface EnvironmentCounts {
  eventTypes: number;
  applications: number;
  endpoints: number;
  templates: number;
}

export function countEnvironment(document: EnvironmentDocument): EnvironmentCounts {
  const applications = document.applications ?? [];
  return {
    eventTypes: document.eventTypes?.length ?? 0,
    applications: applications.length,
    endpoints: applications.reduce((sum, app) => sum + (app.endpoints?.length ?? 0), 0),
    templates: document.templates?.length ?? 0,
  };
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

export function describeCounts(counts: EnvironmentCounts): string {
  return [
    plural(counts.eventTypes, 'event type'),
    plural(counts.applications, 'application'),
    plural(counts.endpoints, 'endpoint'),
    plural(counts.templates, 'template'),
  ].join(', ');
}

/** Reads a chosen file as an environment document; the error says why it is not one. */
export function parseDocument(text: string): EnvironmentDocument {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error('This file is not JSON. Choose a file downloaded with Export.');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new Error('This file is not an environment document. Choose a file downloaded with Export.');
  return parsed as EnvironmentDocument;
}

/** Whether the document carries secrets sealed with a passphrase. */
export const isSealed = (document: EnvironmentDocument) => document.sealing != null;
