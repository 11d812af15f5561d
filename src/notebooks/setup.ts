/**
 * The one setup cell every notebook starts with:
 *   import * as cmrp from 'cmrp-lab'; const nb = await cmrp.notebookSetup();
 * It activates the compute backend and prints it (the notebook's first output), and tells the
 * notebook whether it runs in smoke mode (CMRP_SMOKE=1: the tests' small configs) and where data lives.
 */
import { initBackend, describeBackend, BackendInfo } from '../backend/select';
import { defaultSynthDir, figuresDir, projectRoot, sharedRoleScapeDir } from '../util/paths';

export interface NotebookSession {
  backend: BackendInfo;
  /** True under the tests: notebooks then use small configs. */
  smoke: boolean;
  root: string;
  synthDir: string;
  figuresDir: string;
  /** The real RoleScape-20 copy, when present next to the project. */
  realDir: string | null;
}

export async function notebookSetup(): Promise<NotebookSession> {
  const backend = await initBackend();
  const smoke = process.env.CMRP_SMOKE === '1';
  const session: NotebookSession = {
    backend,
    smoke,
    root: projectRoot(),
    synthDir: defaultSynthDir(),
    figuresDir: figuresDir(),
    realDir: sharedRoleScapeDir(),
  };
  console.log(`${describeBackend(backend)}${smoke ? ' | smoke config' : ''}`);
  return session;
}
