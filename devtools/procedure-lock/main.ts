import { LOCK_FILE, checkLock, lockNewVersions, readLock, writeLock } from './lock';

// npm run lock-procedures: adds the hash of every newly published procedure version to domain/procedures/lock.json.
const before = readLock();
const added = checkLock(before).unlocked;
writeLock(lockNewVersions(before));
console.log(added.length > 0 ? `Locked ${added.join(', ')} in ${LOCK_FILE}` : 'Every published version is locked');
