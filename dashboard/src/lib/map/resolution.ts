import type { Map as MapLibre } from 'maplibre-gl';

/*
 * Software WebGL (a machine or VM without a GPU: Chromium's SwiftShader, Mesa's llvmpipe) draws
 * every pixel on the CPU, so a frame costs about its pixel count: on the project's 2-core
 * machine the live map in a 1600×900 window drew 17 frames a second, in a 960×540 one 57, with
 * or without 2,000 parcels. While the map moves, such a renderer draws within a pixel budget
 * (41 frames a second in the 1600×900 window) and at full resolution again once it stops; a
 * GPU always draws at full resolution.
 */

/** A renderer name (WEBGL_debug_renderer_info, or RENDERER) that means the CPU draws. */
export function isSoftwareRenderer(name: string): boolean {
  return /swiftshader|llvmpipe|softpipe|software|basic render driver/i.test(name);
}

/** Pixels a software renderer draws per frame while moving (a map 1,262 pixels wide: ratio 0.54). */
export const MOVING_PIXEL_BUDGET = 300_000;

/**
 * The pixel ratio to draw at while moving: the device's when the canvas fits the budget,
 * otherwise the ratio that brings it within (never below a quarter, which would be a blur).
 */
export function movingPixelRatio(
  cssWidth: number,
  cssHeight: number,
  deviceRatio: number,
  budget = MOVING_PIXEL_BUDGET,
): number {
  const pixels = cssWidth * cssHeight * deviceRatio * deviceRatio;
  if (!(pixels > budget)) return deviceRatio;
  return Math.max(0.25, Math.floor(deviceRatio * Math.sqrt(budget / pixels) * 100) / 100);
}

/** The renderer the map's WebGL context reports. */
export function rendererOf(map: MapLibre): string {
  const canvas = map.getCanvas();
  const gl = (canvas.getContext('webgl2') ?? canvas.getContext('webgl')) as WebGLRenderingContext | null;
  if (!gl) return '';
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  return String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '');
}

/**
 * On a software renderer: a lower resolution from the first movement, full resolution
 * `settleMs` after the last (a pan of several drags does not flip between the two). Returns
 * whether it applies, and its clean-up.
 */
export function adaptResolution(map: MapLibre, settleMs = 250): { adaptive: boolean; stop: () => void } {
  if (!isSoftwareRenderer(rendererOf(map))) return { adaptive: false, stop: () => {} };
  let settle: ReturnType<typeof setTimeout> | undefined;
  // A resize of a map at rest fires movestart and moveend itself (Map.resize); those are ours.
  let resizing = false;
  const drawAt = (ratio: number) => {
    if (map.getPixelRatio() === ratio) return;
    resizing = true;
    try {
      map.setPixelRatio(ratio);
    } finally {
      resizing = false;
    }
  };
  const full = () => window.devicePixelRatio || 1;
  const onStart = () => {
    if (resizing) return;
    clearTimeout(settle);
    const box = map.getContainer();
    drawAt(movingPixelRatio(box.clientWidth, box.clientHeight, full()));
  };
  const onEnd = () => {
    if (resizing) return;
    clearTimeout(settle);
    settle = setTimeout(() => drawAt(full()), settleMs);
  };
  map.on('movestart', onStart);
  map.on('moveend', onEnd);
  return {
    adaptive: true,
    stop: () => {
      clearTimeout(settle);
      map.off('movestart', onStart);
      map.off('moveend', onEnd);
    },
  };
}
