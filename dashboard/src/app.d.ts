// See https://svelte.dev/docs/kit/types#app.d.ts
declare global {
  namespace App {
    /** What a failed load shows: the API's error code travels with the message. */
    interface Error {
      message: string;
      code?: string;
    }
  }
}

export {};
