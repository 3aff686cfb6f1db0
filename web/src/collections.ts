// The collections the principal may see (GET /api/v1/collections), cached for the pickers.
import { api } from './api';

export interface Collection {
  id: string;
  title: string;
  can_read: boolean;
  can_write: boolean;
  objects: number;
}

let cached: Promise<Collection[]> | null = null;

// Forgets the list (at sign-in and sign-out: it is the principal's own).
export function forgetCollections(): void {
  cached = null;
}

export function collections(refresh = false): Promise<Collection[]> {
  if (refresh || !cached) {
    cached = api<Collection[]>('GET', '/api/v1/collections');
    cached.catch(() => (cached = null));
  }
  return cached;
}
