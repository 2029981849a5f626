/** Svelte options shared by vite-plugin-svelte and svelte-check. */
export default {
  compilerOptions: {
    // Runes everywhere: no legacy component syntax in this app.
    runes: true,
  },
};
