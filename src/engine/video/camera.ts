import type { Config } from '../../config/schema.ts';

export type CameraConfig = Config['cameras'][number];

export type CameraState = 'recording' | 'online-not-recording' | 'offline';

export type CameraStatus = {
  cameraId: string;
  state: CameraState;
  /** Why the camera is not recording: ffmpeg's last line, 'starting', 'disabled in the config'… */
  reason: string | null;
  sinceMs: number;
  /** ffmpeg starts after the first, since the recorder started. */
  restarts: number;
};

export type Privilege = Config['users'][number]['privileges'][number];
