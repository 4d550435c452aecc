/*
 * Photos from the phone's camera: decoded with the EXIF orientation applied, shrunk so the
 * long edge is at most MAX_EDGE, re-encoded as JPEG through a canvas (which writes no
 * metadata at all, so GPS and camera details never leave the phone), hashed with SHA-256 for
 * the visit's manifest, and given a small thumbnail. Returns plain records with ArrayBuffer
 * bytes for db.js; never stores anything itself.
 */

export const MAX_EDGE = 2048;
const QUALITY = 0.85;
const THUMB_EDGE = 320;
// What a photo the server refused as too large (413) is shrunk to, step by step.
const SMALLER_STEPS = [{ edge: 1600, quality: 0.75 }, { edge: 1200, quality: 0.7 }, { edge: 800, quality: 0.65 }];

export async function sha256Hex(bytes) {
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function encode(bitmap, edge, quality) {
  const scale = Math.min(1, edge / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d');
  context.imageSmoothingQuality = 'high';
  context.drawImage(bitmap, 0, 0, width, height);
  const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality });
  return { bytes: await blob.arrayBuffer(), width, height };
}

function decode(source) {
  // 'from-image' applies the EXIF orientation, so a phone held upright gives an upright photo.
  return createImageBitmap(source, { imageOrientation: 'from-image' });
}

/** A photo record ready for the visit: {id, visit_id, item_key, caption, bytes, thumb, sha256, ...}. */
export async function preparePhoto(file, { id, visitId, owner, itemKey, caption = '' }) {
  const bitmap = await decode(file);
  try {
    const main = await encode(bitmap, MAX_EDGE, QUALITY);
    const thumb = await encode(bitmap, THUMB_EDGE, 0.7);
    return {
      id, visit_id: visitId, owner, item_key: itemKey, caption,
      type: 'image/jpeg', bytes: main.bytes, size: main.bytes.byteLength, sha256: await sha256Hex(main.bytes),
      width: main.width, height: main.height, thumb: thumb.bytes,
      created_at: new Date().toISOString(), sent: false,
    };
  } finally {
    bitmap.close();
  }
}

/**
 * A smaller version of a stored photo, for a server that said it was too large; null when it
 * is already at the smallest step. Same id: it is the same piece of evidence.
 */
export async function shrinkPhoto(photo) {
  const step = SMALLER_STEPS.find((s) => s.edge < Math.max(photo.width, photo.height));
  if (!step) return null;
  const bitmap = await decode(new Blob([photo.bytes], { type: photo.type }));
  try {
    const smaller = await encode(bitmap, step.edge, step.quality);
    return { ...photo, bytes: smaller.bytes, size: smaller.bytes.byteLength, sha256: await sha256Hex(smaller.bytes),
      width: smaller.width, height: smaller.height, sent: false };
  } finally {
    bitmap.close();
  }
}

/** An object URL for showing a stored thumbnail; the caller revokes it. */
export function thumbnailUrl(photo) {
  return URL.createObjectURL(new Blob([photo.thumb || photo.bytes], { type: 'image/jpeg' }));
}
