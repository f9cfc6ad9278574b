/**
 * Who is acting. Until sign-in exists, the API takes a name with every action; the
 * dashboard asks for it once (ActorDialog) and keeps it in localStorage.
 */
const KEY = 'sampletrack.actor';

function readStored(): string {
  try {
    return localStorage.getItem(KEY) ?? '';
  } catch {
    return '';
  }
}

class Actor {
  name = $state(readStored());
  /** True while the dialog asks for a name. */
  asking = $state(false);
  #waiting: ((name: string | null) => void)[] = [];

  set(name: string): void {
    const trimmed = name.trim();
    if (!trimmed) return;
    this.name = trimmed;
    try {
      localStorage.setItem(KEY, trimmed);
    } catch {
      // Private mode: kept for this tab only.
    }
    this.#settle(trimmed);
  }

  cancel(): void {
    this.#settle(null);
  }

  /** The actor's name, asking for it first if it is not known; null if they declined. */
  require(): Promise<string | null> {
    if (this.name) return Promise.resolve(this.name);
    return this.ask();
  }

  /** Asks (again) for the name. */
  ask(): Promise<string | null> {
    this.asking = true;
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #settle(name: string | null): void {
    this.asking = false;
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const resolve of waiting) resolve(name);
  }
}

export const actor = new Actor();
