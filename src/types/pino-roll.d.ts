// pino-roll ships JSDoc but no declarations; this is the part the logger uses.
declare module 'pino-roll' {
  import type SonicBoom from 'sonic-boom';

  export type PinoRollOptions = {
    file: string;
    size?: string | number;
    mkdir?: boolean;
    mode?: number;
    limit?: { count: number; removeOtherLogFiles?: boolean };
  };

  /** A rolling file stream for pino, in the calling thread. */
  export default function pinoRoll(options: PinoRollOptions): Promise<SonicBoom>;
}
