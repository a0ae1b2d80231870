/** Org-wide key/value settings (generated secrets, bootstrap markers). */
import type { SettingsRepo } from '../store.js';
import type { Db } from './shared.js';

export function createSettingsRepo(db: Db): SettingsRepo {
  const get = async (key: string): Promise<string | undefined> => {
    const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
    return row?.value;
  };
  return {
    get,

    async setIfAbsent(key, value) {
      // Two nodes starting together both try; the loser reads back the winner's value.
      await db.insertInto('settings').values({ key, value }).onConflict((oc) => oc.column('key').doNothing()).execute();
      const stored = await get(key);
      return stored ?? value;
    },

    async set(key, value) {
      await db.insertInto('settings').values({ key, value })
        .onConflict((oc) => oc.column('key').doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })))
        .execute();
    },
  };
}
