import sharp from 'sharp';
import type { AccuracyReport, CalibrationReport, ConfusionMatrix } from '../../ml/types';

function accuracy(a: AccuracyReport | null, what: string): string {
  if (!a) return 'not trained (not enough samples)';
  // Copies (the same photo or clip sent twice) count once: say so, so the figure is not read as more.
  const copies = a.samples !== undefined && a.samples > a.n ? `; ${a.samples - a.n} repeated ${what} counted once` : '';
  const chance = a.nearChance ? ' — **near chance**' : '';
  return `${Math.round(a.accuracy * 100)}% (${a.n} held-out checks${copies})${chance}`;
}

/**
 * The calibration result in words: per-signal and fused cross-validated accuracy. When a trained
 * signal is near chance (not clearly better than guessing on the samples given), it says so and offers
 * to add samples instead of calling calibration done: readings from that signal are then always
 * marked "not sure".
 */
export function formatReport(report: CalibrationReport): string {
  const chance = report.confusion.labels.length > 0 ? Math.round(100 / report.confusion.labels.length) : 0;
  const weak = (['face', 'voice'] as const).filter((s) => report[s]?.nearChance);
  const head = weak.length
    ? `**Calibration saved, but your ${weak.map((s) => (s === 'face' ? 'face' : 'voice')).join(' and ')} reading is near chance** — not yet clearly better than guessing. Cross-validated accuracy (how often I read your held-out samples right):`
    : '**Calibration done!** Cross-validated accuracy (how often I read your held-out samples right):';
  const lines = [
    head,
    `• Face: ${accuracy(report.face, 'photos')}`,
    `• Voice: ${accuracy(report.voice, 'clips')}`,
    `• Both together: ${accuracy(report.fused, 'pairs')}`,
  ];
  if (weak.length) {
    const more = weak.map((s) => (s === 'face' ? 'selfies' : 'voice clips')).join(' and ');
    lines.push(
      `Run \`/calibrate\` again to add a few more ${more} of each emotion (it adds to what you have; different takes, not the same one again). Until then I will say "not sure" instead of stating what that signal reads.`,
    );
  }
  if (report.outdatedVoiceSamples) {
    lines.push(
      `_${report.outdatedVoiceSamples} voice clips were measured by an older version of Attune and were not used; record a few again with \`/calibrate\`._`,
    );
  }
  lines.push(
    `_Guessing would score about ${chance}%. Try \`/ask\` now; \`/profile\` shows this again, \`/forget\` deletes it all._`,
  );
  return lines.join('\n');
}

function escapeXml(s: string): string {
  return s.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] as string,
  );
}

/** The confusion matrix as an SVG: rows are the true emotion, columns what was read, shaded by row share. */
export function confusionSvg(matrix: ConfusionMatrix): string {
  const n = matrix.labels.length;
  const cell = 90;
  const left = 130;
  const top = 110;
  const width = left + n * cell + 20;
  const height = top + n * cell + 30;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans, Arial, sans-serif">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${left + (n * cell) / 2}" y="30" font-size="20" text-anchor="middle" font-weight="bold">Confusion matrix</text>`,
    `<text x="${left + (n * cell) / 2}" y="60" font-size="15" text-anchor="middle" fill="#555">read as →</text>`,
    `<text x="20" y="${top - 12}" font-size="15" fill="#555">true ↓</text>`,
  ];
  matrix.labels.forEach((label, j) => {
    parts.push(
      `<text x="${left + j * cell + cell / 2}" y="${top - 12}" font-size="15" text-anchor="middle">${escapeXml(label)}</text>`,
    );
  });
  matrix.labels.forEach((label, i) => {
    const row = matrix.counts[i] ?? [];
    const total = row.reduce((a, b) => a + b, 0);
    parts.push(
      `<text x="${left - 10}" y="${top + i * cell + cell / 2 + 5}" font-size="15" text-anchor="end">${escapeXml(label)}</text>`,
    );
    for (let j = 0; j < n; j++) {
      const count = row[j] ?? 0;
      const share = total > 0 ? count / total : 0;
      // Correct cells in green, mistakes in red, darker for a larger share of the row.
      const hue = i === j ? 140 : 0;
      const light = Math.round(96 - share * 50);
      parts.push(
        `<rect x="${left + j * cell}" y="${top + i * cell}" width="${cell}" height="${cell}" fill="hsl(${hue},55%,${light}%)" stroke="#999"/>`,
      );
      parts.push(
        `<text x="${left + j * cell + cell / 2}" y="${top + i * cell + cell / 2 + 8}" font-size="22" text-anchor="middle">${count}</text>`,
      );
    }
  });
  parts.push('</svg>');
  return parts.join('');
}

/** The confusion matrix as PNG bytes, ready to attach. */
export async function confusionPng(matrix: ConfusionMatrix): Promise<Buffer> {
  return sharp(Buffer.from(confusionSvg(matrix)))
    .png()
    .toBuffer();
}
