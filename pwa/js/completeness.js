/*
 * What the server's receipt says about a visit's photos, read in one place: which of the
 * phone's photos the server still lacks, and whether the visit is complete. The server decides
 * (server/services/completeness.py); tests/fixtures/completeness.json holds cases both sides run.
 */

/** The photos (of `photos`, the phone's own) that the receipt names as not yet arrived. */
export function missingPhotos(receipt, photos) {
  const missing = new Set(receipt?.missing_photos || []);
  return photos.filter((photo) => missing.has(photo.id));
}

/** Complete only when the server says so AND names no missing photo: every hash confirmed. */
export function isComplete(receipt) {
  return receipt?.complete === true && (receipt.missing_photos || []).length === 0;
}
