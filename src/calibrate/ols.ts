/**
 * Ordinary least squares, y = X b + e, for the few-parameter fits migcost needs (Liu's working-set
 * coefficients, the wired energy model, QEMU's platform constants). Plain loops over plain arrays,
 * solved by Householder QR (stable where the normal equations are not). Dependency-free.
 */

export interface OlsFit {
  /** b, in the order of the columns of X. */
  coefficients: number[];
  /** Standard error of each coefficient (NaN-free: 0 when n <= p). */
  standardErrors: number[];
  /** Coefficient of determination; for a model with an intercept column, 1 - SS_res / SS_tot. */
  r2: number;
  /** Residual standard error sqrt(SS_res / (n - p)); 0 when n <= p. */
  residualStdError: number;
  residuals: number[];
  fitted: number[];
  n: number;
  p: number;
}

/**
 * Fits y = X b by least squares. Rows of X are observations; include a column of ones for an intercept.
 * Throws RangeError when the shapes do not match, a value is not finite, n < p, or the columns are
 * collinear (rank-deficient).
 * @example ols([[1, 0], [1, 1], [1, 2]], [1, 3, 5]).coefficients // [1, 2]
 */
export function ols(X: readonly (readonly number[])[], y: readonly number[]): OlsFit {
  const n = X.length;
  if (n === 0) throw new RangeError('ols: needs at least one observation');
  if (y.length !== n) throw new RangeError(`ols: X has ${n} rows but y has ${y.length} values`);
  const p = X[0].length;
  if (p === 0) throw new RangeError('ols: X needs at least one column');
  if (n < p) throw new RangeError(`ols: ${n} observations cannot fit ${p} coefficients`);
  // Column-major copy of X (A) and of y (b); QR is done in place.
  const A: number[][] = [];
  for (let j = 0; j < p; j++) A.push(new Array<number>(n));
  const b = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const row = X[i];
    if (row.length !== p) throw new RangeError(`ols: row ${i} has ${row.length} columns, expected ${p}`);
    for (let j = 0; j < p; j++) {
      if (!Number.isFinite(row[j])) throw new RangeError(`ols: X[${i}][${j}] is not a finite number`);
      A[j][i] = row[j];
    }
    if (!Number.isFinite(y[i])) throw new RangeError(`ols: y[${i}] is not a finite number`);
    b[i] = y[i];
  }
  // Householder QR: A = Q R; apply Q^T to b as we go.
  const rDiag = new Array<number>(p);
  for (let k = 0; k < p; k++) {
    let norm = 0;
    for (let i = k; i < n; i++) norm = Math.hypot(norm, A[k][i]);
    // a loop, not Math.max(...column): spreading 300,000 arguments overflows the stack
    let scale = 1;
    for (const v of A[k]) if (Math.abs(v) > scale) scale = Math.abs(v);
    if (norm <= 1e-12 * scale) throw new RangeError(`ols: column ${k} is collinear with the others (rank-deficient X)`);
    if (A[k][k] < 0) norm = -norm;
    for (let i = k; i < n; i++) A[k][i] /= norm;
    A[k][k] += 1;
    for (let j = k + 1; j < p; j++) {
      let s = 0;
      for (let i = k; i < n; i++) s += A[k][i] * A[j][i];
      s = -s / A[k][k];
      for (let i = k; i < n; i++) A[j][i] += s * A[k][i];
    }
    let s = 0;
    for (let i = k; i < n; i++) s += A[k][i] * b[i];
    s = -s / A[k][k];
    for (let i = k; i < n; i++) b[i] += s * A[k][i];
    rDiag[k] = -norm;
  }
  // Back-substitution R beta = Q^T y.
  const beta = new Array<number>(p).fill(0);
  for (let k = p - 1; k >= 0; k--) {
    let s = b[k];
    for (let j = k + 1; j < p; j++) s -= A[j][k] * beta[j];
    beta[k] = s / rDiag[k];
  }
  // Residuals and scores.
  const fitted = new Array<number>(n);
  const residuals = new Array<number>(n);
  let ssRes = 0;
  let meanY = 0;
  for (let i = 0; i < n; i++) meanY += y[i];
  meanY /= n;
  let ssTot = 0;
  for (let i = 0; i < n; i++) {
    let f = 0;
    for (let j = 0; j < p; j++) f += X[i][j] * beta[j];
    fitted[i] = f;
    residuals[i] = y[i] - f;
    ssRes += residuals[i] * residuals[i];
    ssTot += (y[i] - meanY) * (y[i] - meanY);
  }
  const dof = n - p;
  const sigma2 = dof > 0 ? ssRes / dof : 0;
  // (X^T X)^-1 = R^-1 R^-T: invert the upper-triangular R column by column.
  const Rinv: number[][] = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  for (let j = 0; j < p; j++) {
    Rinv[j][j] = 1 / rDiag[j];
    for (let i = j - 1; i >= 0; i--) {
      let s = 0;
      for (let k = i + 1; k <= j; k++) s += A[k][i] * Rinv[k][j];
      Rinv[i][j] = -s / rDiag[i];
    }
  }
  const standardErrors = new Array<number>(p);
  for (let i = 0; i < p; i++) {
    let s = 0;
    for (let k = i; k < p; k++) s += Rinv[i][k] * Rinv[i][k];
    standardErrors[i] = Math.sqrt(sigma2 * s);
  }
  const r2 = ssTot > 0 ? 1 - ssRes / ssTot : ssRes === 0 ? 1 : 0;
  return { coefficients: beta, standardErrors, r2, residualStdError: Math.sqrt(sigma2), residuals, fitted, n, p };
}

/** Simple linear regression y = slope * x + intercept, by `ols`. */
export function linearFit(x: readonly number[], y: readonly number[]): OlsFit & { slope: number; intercept: number } {
  const fit = ols(x.map((v) => [1, v]), y);
  return { ...fit, intercept: fit.coefficients[0], slope: fit.coefficients[1] };
}
