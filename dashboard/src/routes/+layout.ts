// A client-rendered SPA: the platform serves build/index.html for every path, and all data
// is live, so there is nothing worth rendering on a server or at build time.
export const ssr = false;
export const prerender = false;
