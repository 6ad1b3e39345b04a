/**
 * The derivation checker's words in English and German, the notes' own terms; `{name}` is filled
 * in. The language is chosen as for the rest of the product: the CLI's `--lang` or the locale, the
 * editor's display language.
 */
import type { SkipKind } from './ast';

export type Lang = 'en' | 'de';

const en = {
  // Findings
  chainBreaks: 'The chain breaks here: {left} ≠ {right} at {point}.',
  chainBreaksBridged: 'The chain breaks between these sides (the one between them is not checked): {left} ≠ {right} at {point}.',
  mapDiffers: 'The sides differ on a random network of the notes\' kind ({net}): {entry}{left} ≠ {right}.',
  entry: 'entry [{i}, {j}]: ',
  shapeOperands: 'The shapes do not fit: {expr}: {shapes}{where}.',
  shapeSides: 'The sides have different shapes: {left} and {right} ({net}).',
  claimProduct: 'The shapes do not fit: {shapes}: the inner sizes {a} and {b} differ.',
  claimBroadcast: 'The shapes do not fit element by element: {shapes}.',
  claimSides: 'The shape claim does not hold: {left} ≠ {right}.',
  claimSize: '{quantity} is {symbolic}; ({claimed}) here gives {name} = {value}, but {name} = {before} at line {line}.',
  claimOperand: '{quantity} is {symbolic} = {numeric}, not {claimed}.',
  notWritten: '{term} is not written yet: replace … with its formula from the backprop map.',
  // Hints (only on evidence)
  hintSign: 'it is off by a sign',
  hintFactor: 'the side after is {k} times the side before',
  hintMissingM: 'the side after is m = {m} times the side before: the 1/m is missing',
  hintExtraM: 'the side after is 1/m of the side before: a 1/m too many (dA and dZ are per example, of L; dW and db are of J)',
  hintReciprocal: 'the side after is the reciprocal of the side before',
  hintMaskMissing: 'the mask [Z^{[{k}]} > 0] is missing',
  hintMaskExtra: 'a mask [Z^{[{k}]} > 0] too many',
  hintTransposed: 'the side after is the transpose of the side before',
  hintKeepdims: 'np.sum(…, axis=1) without keepdims=True gives {short}, not {long}',
  hintAxis0: 'axis=0 sums over the units; the examples are the columns: axis=1',
  hintSumAll: 'np.sum without axis adds all entries into one number; the sum over the examples is np.sum(…, axis=1, keepdims=True)',
  hintInner: 'the inner sizes {a} and {b} differ',
  hintElementwise: 'element by element (*) needs equal shapes or a size 1 to broadcast',
  hintFactorChanged: 'the factor {now} is not {before}: {nowValue} instead of {beforeValue}',
  hintTermChanged: 'the term {now} is not {before}: {nowValue} instead of {beforeValue}',
  hintReturns: 'the next side agrees with the one before this step again, so the side {side} is the wrong one',
  forLayer: ' (l = {l})',
  // Words for the reports
  atPoint: '{values}',
  network: 'n_x = {nx}, {hidden}m = {m}',
  inRows: 'examples in rows (X is m × n_x)',
  readInRows: 'Read with examples in rows (X is m × n_x): the forward run is written so (Z = X W + b).',
  notCheckedBecause: 'not checked: {why}',
  definition: 'definition of {name}',
  holdsOnly: 'holds only for l = {ls}',
  holdsHidden: 'holds for the hidden layers l = {ls}',
  hoverSide: '{side}: {shape}{value}',
  hoverTitle: 'Checked at {point}',
  hoverOk: '✓ {n} step(s) hold',
  hoverWrong: '✗ {message}',
  summary: 'Math: {equations} equation(s): {checked} checked ({wrong} wrong), {definitions} definition(s), {skipped} not checked{kinds}.',
  nothingChecked: 'No equation in {file} could be checked.',
  notCheckedKinds: ' (steps not checked: {list})',
  tooLarge: 'Not checked: the text has {chars} million characters; the math check reads up to {max} million.',
  // Why not checked
  skip_picture: 'a picture (colours, dots)',
  skip_text: 'words, not a formula',
  skip_index: 'index notation (entries such as w_{ij}, z_1)',
  'skip_no-layer': 'no layer index: which layer it is, is not said',
  'skip_ambiguous-d': 'an ambiguous d (a name such as dW, or a differential?)',
  skip_undefined: 'a symbol not defined in the document',
  'skip_not-a-function-of': 'a derivative of something not defined as a function of that variable',
  skip_update: 'an update (:=), not an equation',
  skip_incomplete: 'incomplete',
  skip_unsupported: 'notation not read',
  skip_jacobian: 'a derivative that is not element by element (a Jacobian)',
  skip_relation: 'not an equation (an inequality or ≈)',
  'skip_bare-function': 'a function written without its arguments',
  skip_domain: 'no test point where both sides are defined',
  'skip_sum-of-losses': '∂L/∂W with m examples (L is one loss per example; ∂J/∂W is dW)',
  'skip_layer-range': 'a layer the network does not have',
  'skip_shape-unknown': 'a shape mixed with values',
  skip_condition: 'a condition on a value (one side depends on a free symbol, the other does not), not an identity',
  skip_budget: 'more to evaluate than one check does (the text before it is checked)',
  'skip_other-loss': "the document's own loss, not the notes' cross-entropy: the network's gradients are the cross-entropy's, so only steps between gradients are checked",
  'skip_ambiguous-product': 'a product without a sign of two shapes that fit neither as a matrix product nor element by element with one shape (a missing transpose, or a missing *?)',
};

export type MessageKey = keyof typeof en;

const de: Record<MessageKey, string> = {
  chainBreaks: 'Hier bricht die Kette: {left} ≠ {right} bei {point}.',
  chainBreaksBridged: 'Zwischen diesen Seiten bricht die Kette (die Seite dazwischen ist nicht geprüft): {left} ≠ {right} bei {point}.',
  mapDiffers: 'Die Seiten unterscheiden sich an einem zufälligen Netz wie im Skript ({net}): {entry}{left} ≠ {right}.',
  entry: 'Eintrag [{i}, {j}]: ',
  shapeOperands: 'Die Formen passen nicht: {expr}: {shapes}{where}.',
  shapeSides: 'Die Seiten haben verschiedene Formen: {left} und {right} ({net}).',
  claimProduct: 'Die Formen passen nicht: {shapes}: die inneren Größen {a} und {b} sind verschieden.',
  claimBroadcast: 'Die Formen passen elementweise nicht: {shapes}.',
  claimSides: 'Die Formangabe stimmt nicht: {left} ≠ {right}.',
  claimSize: '{quantity} ist {symbolic}; ({claimed}) hier ergibt {name} = {value}, aber {name} = {before} in Zeile {line}.',
  claimOperand: '{quantity} ist {symbolic} = {numeric}, nicht {claimed}.',
  notWritten: '{term} ist noch nicht geschrieben: ersetze … durch seine Formel aus der Backprop-Map.',
  hintSign: 'das Vorzeichen ist falsch',
  hintFactor: 'die Seite danach ist das {k}-fache der Seite davor',
  hintMissingM: 'die Seite danach ist das m = {m}-fache der Seite davor: das 1/m fehlt',
  hintExtraM: 'die Seite danach ist 1/m der Seite davor: ein 1/m zu viel (dA und dZ gelten je Beispiel, für L; dW und db für J)',
  hintReciprocal: 'die Seite danach ist der Kehrwert der Seite davor',
  hintMaskMissing: 'die Maske [Z^{[{k}]} > 0] fehlt',
  hintMaskExtra: 'eine Maske [Z^{[{k}]} > 0] zu viel',
  hintTransposed: 'die Seite danach ist die Transponierte der Seite davor',
  hintKeepdims: 'np.sum(…, axis=1) ohne keepdims=True ergibt {short}, nicht {long}',
  hintAxis0: 'axis=0 summiert über die Einheiten; die Beispiele sind die Spalten: axis=1',
  hintSumAll: 'np.sum ohne axis addiert alle Einträge zu einer Zahl; die Summe über die Beispiele ist np.sum(…, axis=1, keepdims=True)',
  hintInner: 'die inneren Größen {a} und {b} sind verschieden',
  hintElementwise: 'elementweise (*) braucht gleiche Formen oder eine Größe 1 zum Broadcasting',
  hintFactorChanged: 'der Faktor {now} ist nicht {before}: {nowValue} statt {beforeValue}',
  hintTermChanged: 'der Term {now} ist nicht {before}: {nowValue} statt {beforeValue}',
  hintReturns: 'die nächste Seite stimmt wieder mit der Seite vor diesem Schritt überein, also ist die Seite {side} die falsche',
  forLayer: ' (l = {l})',
  atPoint: '{values}',
  network: 'n_x = {nx}, {hidden}m = {m}',
  inRows: 'Beispiele in Zeilen (X ist m × n_x)',
  readInRows: 'Mit Beispielen in Zeilen gelesen (X ist m × n_x): der Vorwärtslauf ist so geschrieben (Z = X W + b).',
  notCheckedBecause: 'nicht geprüft: {why}',
  definition: 'Definition von {name}',
  holdsOnly: 'gilt nur für l = {ls}',
  holdsHidden: 'gilt für die verborgenen Schichten l = {ls}',
  hoverSide: '{side}: {shape}{value}',
  hoverTitle: 'Geprüft bei {point}',
  hoverOk: '✓ {n} Schritt(e) stimmen',
  hoverWrong: '✗ {message}',
  summary: 'Mathematik: {equations} Gleichung(en): {checked} geprüft ({wrong} falsch), {definitions} Definition(en), {skipped} nicht geprüft{kinds}.',
  nothingChecked: 'Keine Gleichung in {file} konnte geprüft werden.',
  notCheckedKinds: ' (nicht geprüfte Schritte: {list})',
  tooLarge: 'Nicht geprüft: der Text hat {chars} Millionen Zeichen; die Prüfung der Mathematik liest bis zu {max} Millionen.',
  skip_picture: 'ein Bild (Farben, Punkte)',
  skip_text: 'Wörter, keine Formel',
  skip_index: 'Indexschreibweise (Einträge wie w_{ij}, z_1)',
  'skip_no-layer': 'kein Schichtindex: welche Schicht gemeint ist, steht nicht da',
  'skip_ambiguous-d': 'ein mehrdeutiges d (ein Name wie dW oder ein Differential?)',
  skip_undefined: 'ein Symbol, das im Dokument nicht definiert ist',
  'skip_not-a-function-of': 'eine Ableitung von etwas, das nicht als Funktion dieser Variablen definiert ist',
  skip_update: 'eine Aktualisierung (:=), keine Gleichung',
  skip_incomplete: 'unvollständig',
  skip_unsupported: 'Schreibweise nicht gelesen',
  skip_jacobian: 'eine Ableitung, die nicht elementweise ist (eine Jacobi-Matrix)',
  skip_relation: 'keine Gleichung (eine Ungleichung oder ≈)',
  'skip_bare-function': 'eine Funktion ohne ihre Argumente geschrieben',
  skip_domain: 'kein Testpunkt, an dem beide Seiten definiert sind',
  'skip_sum-of-losses': '∂L/∂W bei m Beispielen (L ist ein Verlust je Beispiel; ∂J/∂W ist dW)',
  'skip_layer-range': 'eine Schicht, die das Netz nicht hat',
  'skip_shape-unknown': 'eine Form zwischen Werten',
  skip_condition: 'eine Bedingung an einen Wert (eine Seite hängt von einem freien Symbol ab, die andere nicht), keine Identität',
  skip_budget: 'mehr auszuwerten, als eine Prüfung tut (der Text davor ist geprüft)',
  'skip_other-loss': 'der eigene Verlust des Dokuments, nicht die Kreuzentropie des Skripts: die Gradienten des Netzes sind die der Kreuzentropie, geprüft werden nur Schritte zwischen Gradienten',
  'skip_ambiguous-product': 'ein Produkt ohne Zeichen zweier Formen, die weder als Matrixprodukt noch elementweise bei gleicher Form passen (fehlt ein Transponieren oder ein *?)',
};

export type Say = (key: MessageKey, vars?: Record<string, string | number>) => string;

export function messages(lang: Lang): Say {
  const table = lang === 'de' ? de : en;
  return (key, vars) => table[key].replace(/\{(\w+)\}/g, (whole, name: string) => (vars && name in vars ? String(vars[name]) : whole));
}

export function skipKey(kind: SkipKind): MessageKey {
  return `skip_${kind}` as MessageKey;
}

/** A number as the reports show it: 4 significant digits, German with a decimal comma. */
export function formatNumber(x: number, lang: Lang): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'NaN' : x > 0 ? '∞' : '−∞';
  const abs = Math.abs(x);
  let s = abs !== 0 && (abs < 1e-3 || abs >= 1e5) ? x.toExponential(3).replace(/\.?0+e/, 'e') : String(Number(x.toPrecision(4)));
  if (lang === 'de') s = s.replace('.', ',');
  return s.replace(/^-/, '−');
}
