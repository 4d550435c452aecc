/*
 * The visit being edited: its draft, its photos and their thumbnails. Saves the draft within
 * AUTOSAVE_MS of any change (and at once on `flush()`: leaving the form, the app going to the
 * background, an update being applied), and adds, captions and removes photos. Reports through
 * `onStatus(text)`; never builds screens.
 */
import * as db from './db.js';
import * as outbox from './outbox.js';
import { preparePhoto, thumbnailUrl } from './photos.js';

const AUTOSAVE_MS = 400;

export class VisitEditor {
  constructor(visit, photos, onStatus) {
    this.visit = visit;
    this.photos = photos;
    this.onStatus = onStatus;
    this.timer = null;
    this.captionTimers = new Map();
    this.urls = new Map();
    this.thumbnail = (photo) => {
      if (!this.urls.has(photo.id)) this.urls.set(photo.id, thumbnailUrl(photo));
      return this.urls.get(photo.id);
    };
  }

  static async open(visitId) {
    const visit = await db.getVisit(visitId);
    if (!visit) return null;
    return new VisitEditor(visit, await outbox.photosOf(visitId), () => {});
  }

  changed() {
    clearTimeout(this.timer);
    this.onStatus('Saving…');
    this.timer = setTimeout(() => this.save(), AUTOSAVE_MS);
  }

  async save() {
    clearTimeout(this.timer);
    this.timer = null;
    await outbox.saveDraft(this.visit);
    const time = new Date().toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
    this.onStatus(`Saved on this phone at ${time}`);
  }

  /** Save anything pending now. */
  async flush() {
    const pending = [...this.captionTimers.values()];
    this.captionTimers.clear();
    for (const [timer, photo] of pending) {
      clearTimeout(timer);
      await db.putPhoto(photo);
    }
    if (this.timer) await this.save();
  }

  async addPhoto(itemKey, file) {
    this.onStatus('Adding the photo…');
    try {
      const photo = await preparePhoto(file, { id: outbox.newId(), visitId: this.visit.id, owner: this.visit.owner, itemKey });
      await db.putPhoto(photo);
      this.photos.push(photo);
      await this.save();
      return photo;
    } catch {
      this.onStatus('That photo could not be read. Try taking it again.');
      return null;
    }
  }

  async removePhoto(photo) {
    await db.deletePhoto(photo.id);
    this.photos.splice(this.photos.indexOf(photo), 1);
    URL.revokeObjectURL(this.urls.get(photo.id));
    this.urls.delete(photo.id);
    await this.save();
  }

  captionPhoto(photo, caption) {
    photo.caption = caption;
    const [timer] = this.captionTimers.get(photo.id) || [];
    clearTimeout(timer);
    this.onStatus('Saving…');
    this.captionTimers.set(photo.id, [setTimeout(async () => {
      this.captionTimers.delete(photo.id);
      await db.putPhoto(photo);
      await this.save();
    }, AUTOSAVE_MS), photo]);
  }

  close() {
    for (const url of this.urls.values()) URL.revokeObjectURL(url);
    this.urls.clear();
  }
}
