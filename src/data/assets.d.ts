// scripts/build.mjs loads .csv files as text (esbuild's text loader).
declare module '*.csv' {
  const text: string;
  export default text;
}
