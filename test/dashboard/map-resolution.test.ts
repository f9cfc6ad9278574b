import { describe, expect, it } from 'vitest';
import { isSoftwareRenderer, MOVING_PIXEL_BUDGET, movingPixelRatio } from '../../dashboard/src/lib/map/resolution.ts';

describe('map resolution while moving (software WebGL)', () => {
  it('knows the CPU renderers from a GPU', () => {
    expect(
      isSoftwareRenderer(
        'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)',
      ),
    ).toBe(true);
    expect(isSoftwareRenderer('llvmpipe (LLVM 15.0.6, 256 bits)')).toBe(true);
    expect(isSoftwareRenderer('ANGLE (Microsoft, Microsoft Basic Render Driver Direct3D11 vs_5_0 ps_5_0)')).toBe(true);
    expect(isSoftwareRenderer('ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0, D3D11)')).toBe(false);
    expect(isSoftwareRenderer('Apple M2')).toBe(false);
    expect(isSoftwareRenderer('')).toBe(false);
  });

  it('keeps the device ratio for a canvas within the budget', () => {
    expect(movingPixelRatio(600, 400, 1)).toBe(1);
    expect(movingPixelRatio(300, 240, 2)).toBe(2);
  });

  it('brings a larger canvas within the budget, and no lower than a quarter', () => {
    const r = movingPixelRatio(1600, 900, 1);
    expect(r).toBeLessThan(1);
    expect(1600 * r * 900 * r).toBeLessThanOrEqual(MOVING_PIXEL_BUDGET);
    // Not needlessly low: one hundredth more would exceed it.
    expect(1600 * (r + 0.01) * 900 * (r + 0.01)).toBeGreaterThan(MOVING_PIXEL_BUDGET);
    const retina = movingPixelRatio(1440, 900, 2);
    expect(1440 * retina * 900 * retina).toBeLessThanOrEqual(MOVING_PIXEL_BUDGET);
    expect(movingPixelRatio(10_000, 10_000, 1)).toBe(0.25);
  });
});
