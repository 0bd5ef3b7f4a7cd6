import { fromNumber, mul, type Rational } from "./rational";

/** Bytes the pipeline must hold to ride out maxLagSeconds: lag × rate × bytes, exactly. */
export function lagBytesNeeded(maxLagSeconds: number, writeRatePerSecond: number, writeBytes: number): Rational {
  return mul(mul(fromNumber(maxLagSeconds), fromNumber(writeRatePerSecond)), fromNumber(writeBytes));
}

/** Seconds of lag a buffer rides out at a given write rate (for hovers). */
export function lagSecondsCovered(lagBufferBytes: number, writeRatePerSecond: number, writeBytes: number): number {
  const perSecond = writeRatePerSecond * writeBytes;
  return perSecond > 0 ? lagBufferBytes / perSecond : Infinity;
}
