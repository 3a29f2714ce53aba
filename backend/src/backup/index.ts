export { BackupError, type BackupManifest, type BackupProblem } from './backup-format';
export { backupFileName, DATE_PLACEHOLDER, rotateBackups } from './rotation';
export { restoreBackup, verifyBackup, type RestoreTarget } from './restore-backup';
export { parleyServerAnswers, postgresServersOn, probeHosts, sqliteInUse } from './server-probe';
export { backupSourceFor, writeBackup, type BackupOptions, type BackupResult, type BackupSource } from './write-backup';
