/**
 * The console's modules, loaded only where a console is drawn: Ink and React cost an engine
 * about 50 MiB. React is told it runs in production first (it reads NODE_ENV as it loads):
 * its development build checks every render and is several times slower and bigger.
 */
export async function loadConsole() {
  process.env.NODE_ENV ??= 'production';
  const [{ runConsole }, { colorWanted }] = await Promise.all([
    import('../ui/run-console.tsx'),
    import('../ui/theme.ts'),
  ]);
  return { runConsole, colorWanted };
}
