// scripts/build.mjs loads .csv and .py files as text (esbuild's text loader).
declare module '*.csv' {
  const text: string;
  export default text;
}

declare module '*.py' {
  const text: string;
  export default text;
}
