import { access, constants } from 'node:fs/promises';

/** Whether this process may access `file` in `mode` (fs.constants: R_OK, W_OK, X_OK; default: it exists). */
export async function canAccess(file: string, mode: number = constants.F_OK): Promise<boolean> {
  try {
    await access(file, mode);
    return true;
  } catch {
    return false;
  }
}

export async function fileExists(file: string): Promise<boolean> {
  return canAccess(file);
}
