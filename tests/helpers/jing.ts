/**
 * How the tests start jing. Debian's /usr/bin/jing is a shell script that looks for a Java runtime
 * and for its jars on every call, and puts "." on the class path, which rules out a class-data
 * archive. Where those jars are in /usr/share/java, java is started on them directly: the same
 * main class, the same jars (less "."), the same parser setting as the script, plus a
 * class-data-sharing archive (CDS: jing's classes loaded and verified once, by the first run,
 * kept in the temp folder) that later JVMs map instead of loading them again. About 0.75 → 0.45
 * CPU-seconds a run, with the same verdicts. Anywhere else: the `jing` on PATH, as it is.
 */
import { createHash } from 'node:crypto';
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findExecutable, missingTool } from './tools.js';

const JARS_DIR = '/usr/share/java';
/** The jars /usr/bin/jing looks for (its find_jars line), in its order; it leaves out the missing ones, and so does this. */
const SCRIPT_JARS = ['jing', 'xercesImpl', 'xmlParserAPIs', 'xml-apis', 'Saxon-HE', 'xml-resolver', 'avalon-framework', 'batik-all'];
/** The script's JAVA_ARGS. */
const PARSER_SETTING = '-Dorg.apache.xerces.xni.parser.XMLParserConfiguration=org.apache.xerces.parsers.XIncludeParserConfiguration';
const DRIVER = 'com.thaiopensource.relaxng.util.Driver';
/** The quick compiler only, one GC thread, no perf-data file: most of a short run is the JVM starting. */
const JVM_OPTIONS = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-XX:-UsePerfData'];

export interface JingLaunch {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** Call once the run has ended (it may have written the class-data archive). */
  finished(): void;
}

/** The command line that runs jing with `jingArgs`. */
export async function jingLaunch(jingArgs: string[]): Promise<JingLaunch> {
  const java = await findExecutable('java');
  const jars = SCRIPT_JARS.map((name) => path.join(JARS_DIR, `${name}.jar`)).filter((jar) => existsSync(jar));
  if (!java || !jars[0]?.endsWith('/jing.jar')) return scriptLaunch(jingArgs);
  const share = classDataSharing(java, jars);
  return { command: java, args: [...JVM_OPTIONS, ...share.options, PARSER_SETTING, '-cp', jars.join(':'), DRIVER, ...jingArgs], finished: share.finished };
}

async function scriptLaunch(jingArgs: string[]): Promise<JingLaunch> {
  const tool = (await findExecutable('jing')) ?? missingTool('jing (Debian package jing)');
  return { command: tool, args: jingArgs, env: { ...process.env, JAVA_TOOL_OPTIONS: JVM_OPTIONS.join(' ') }, finished: () => undefined };
}

let writing = false;

/**
 * The archive for this JVM and these jars (named by a hash of their paths and times, so another
 * JDK or jing gets its own): used when it exists; else this run writes it, under a name of its
 * own, renamed into place at the end, so a JVM never maps a half-written file. -Xshare:auto: a
 * JVM that cannot use an archive runs without it; -Xlog:disable: no CDS message among jing's lines.
 */
function classDataSharing(java: string, jars: string[]): { options: string[]; finished(): void } {
  const key = createHash('sha256')
    .update([java, ...jars].map((file) => `${file}@${statSync(file).mtimeMs}`).join('\n'))
    .digest('hex')
    .slice(0, 16);
  const archive = path.join(os.tmpdir(), `feedmirror-jing-${key}.jsa`);
  const quiet = ['-Xshare:auto', '-Xlog:disable'];
  if (existsSync(archive)) return { options: [...quiet, `-XX:SharedArchiveFile=${archive}`], finished: () => undefined };
  if (writing) return { options: quiet, finished: () => undefined };
  writing = true;
  const partial = `${archive}.${process.pid}.partial`;
  return {
    options: [...quiet, `-XX:ArchiveClassesAtExit=${partial}`],
    finished: () => {
      try {
        if (existsSync(partial)) renameSync(partial, archive);
      } catch {
        rmSync(partial, { force: true });
      }
      writing = false;
    },
  };
}
