import { once } from 'node:events';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  ffmpegMajor,
  type RtspTimeoutOption,
  requireFfmpeg,
  rtspTimeoutFromHelp,
  rtspTimeoutOption,
} from '../../../src/engine/video/ffmpeg-binary.ts';
import { spawnFfmpeg, tailCollector } from '../../../src/engine/video/ffmpeg-process.ts';
import { recorderArgs } from '../../../src/engine/video/recorder-args.ts';
import { tempDir } from '../../helpers/cli.ts';
import { demoCamera } from '../../helpers/video.ts';

const rtspCamera = (url: string) => demoCamera('gate', { source: { kind: 'url', url } });
const argsFor = (url: string, rtspTimeout: RtspTimeoutOption) =>
  recorderArgs(rtspCamera(url), {
    cameraDir: '/archive/gate',
    prefix: 'p',
    font: null,
    rtspTimeout,
  });

/** Excerpts of `ffmpeg -h demuxer=rtsp`: 4.x still lists -stimeout (and -timeout, for listening). */
const help4 = `RTSP demuxer AVOptions:
  -listen_timeout    <int>        .D....... set maximum timeout (in seconds) to wait for incoming connections
  -timeout           <int>        .D....... set maximum timeout (in seconds) to wait for incoming connections (deprecated, use listen_timeout)
  -stimeout          <int>        .D....... set timeout (in microseconds) of socket TCP I/O operations (default 0)
`;
const help5 = `RTSP demuxer AVOptions:
  -listen_timeout    <int>        .D....... set maximum timeout (in seconds) to wait for incoming connections
  -timeout           <int64>      .D....... set timeout (in microseconds) of socket I/O operations (default 0)
`;

describe('RTSP socket timeout option', () => {
  it('puts the chosen spelling on RTSP sources only', () => {
    expect(argsFor('rtsp://10.0.0.9/1', '-timeout').join(' ')).toContain(
      '-rtsp_transport tcp -timeout 10000000 -analyzeduration',
    );
    expect(argsFor('rtsp://10.0.0.9/1', '-stimeout').join(' ')).toContain(
      '-rtsp_transport tcp -stimeout 10000000 -analyzeduration',
    );
    const http = argsFor('http://10.0.0.9/live.ts', '-stimeout');
    expect(http).toContain('-rw_timeout');
    expect(http).not.toContain('-stimeout');
  });

  it('decides by the release number, with no ffmpeg to ask', () => {
    expect(ffmpegMajor('5.1.6-0+deb12u1')).toBe(5);
    expect(ffmpegMajor('4.4.2-0ubuntu0.22.04.1')).toBe(4);
    expect(ffmpegMajor('n7.1')).toBe(7);
    expect(ffmpegMajor('N-47683-g0e8eb07980-static')).toBeNull();
    expect(ffmpegMajor('2023-03-05-git-912ac82f3c-full_build-www.gyan.dev')).toBeNull();
    expect(rtspTimeoutOption('/nowhere/ffmpeg', '5.1.6-0+deb12u1')).toBe('-timeout');
    expect(rtspTimeoutOption('/nowhere/ffmpeg', '4.4.2')).toBe('-stimeout');
  });

  it('reads the spelling from the RTSP demuxer help', () => {
    expect(rtspTimeoutFromHelp(help4)).toBe('-stimeout');
    expect(rtspTimeoutFromHelp(help5)).toBe('-timeout');
  });

  it('makes the resolved ffmpeg dial an RTSP camera, timeout option understood', async () => {
    const ffmpeg = requireFfmpeg();
    // A build without a release number (the npm one) answers for itself; either way they agree.
    const option = rtspTimeoutOption(ffmpeg.path);
    expect(rtspTimeoutOption(ffmpeg.path, ffmpeg.version)).toBe(option);

    // A loopback "camera" that takes the first request and hangs up.
    const requests: string[] = [];
    const camera = createServer((socket) => {
      socket.once('data', (data) => {
        requests.push(String(data));
        socket.destroy();
      });
    });
    camera.listen(0, '127.0.0.1');
    await once(camera, 'listening');
    const { port } = camera.address() as { port: number };
    const dir = tempDir();
    try {
      const url = `rtsp://127.0.0.1:${port}/stream1`;
      const args = recorderArgs(rtspCamera(url), {
        cameraDir: dir.path,
        prefix: 'p',
        font: null,
        rtspTimeout: option,
      });
      const child = spawnFfmpeg(ffmpeg.path, args, ['ignore', 'ignore', 'pipe', 'ignore']);
      const stderr = tailCollector();
      child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
      await once(child, 'close');
      expect(stderr.text()).not.toMatch(/Unrecognized option|Option not found/);
      // A client, not a listener: -timeout before ffmpeg 5 would have waited for the camera.
      expect(requests[0]).toMatch(new RegExp(`^OPTIONS ${url} RTSP/1\\.0`));
    } finally {
      camera.close();
      dir.remove();
    }
  });
});
