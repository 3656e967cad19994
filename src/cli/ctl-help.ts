// `help` and the help_* texts of supervisorctl 4.2.5, verbatim (tabs included).

import { EXIT, type Command, type Controller } from './ctl-controller.js';

// procvisor's own `logs` command (not in supervisorctl's topic list, so `help` stays byte-identical).
const LOGS_HELP =
  'logs [-f] [--since WHEN] [--lines N] [--stream stdout|stderr] [<name> ...]\n' +
  '\t\t\tRecent lines of the named processes (default: all), merged\n' +
  '\t\t\tand prefixed with the process name; "!" marks stderr lines.\n' +
  'logs -f\t\t\tThen follow new lines (Ctrl-C to exit).\n' +
  'logs --since 10m\tLines of the last 10 minutes (s, m, h, d, or a date).';

// procvisor's own `fleet` command (not in the topic list either).
const FLEET_HELP =
  'fleet\t\t\t\tThis node, the etcd prefix, whether etcd is reachable\n' +
  'fleet nodes\t\t\tNodes: alive, processes, last status, labels\n' +
  'fleet programs\t\t\tFleet programs, their placement and where they run\n' +
  'fleet status [<program> ...]\tProcesses on every node, one line each\n' +
  'fleet show <program>\t\tA fleet program as JSON\n' +
  'fleet add <file.json>\t\tAdd a program from a JSON definition\n' +
  'fleet add <program> key=value ... [--nodes a,b] [--labels k=v,...] [--singleton]\n' +
  '\t\t\t\tAdd a program (command=... required; values are\n' +
  '\t\t\t\tJSON when they parse: numprocs=2 autostart=false)\n' +
  'fleet edit <file.json>\t\tReplace a program with a JSON definition\n' +
  'fleet edit <program> key=value ... [--nodes a,b] [--labels k=v,...] [--[no-]singleton]\n' +
  '\t\t\t\tChange only what is given (key=null removes an\n' +
  '\t\t\t\toption; --nodes= or --labels= clears it)\n' +
  'fleet remove <program>\t\tRemove a program from every node\n' +
  'fleet start|stop|restart <program>\tOn every node that runs it';

const HELP: Readonly<Record<string, string>> = {
  add: 'add <name> [...]\tActivates any updates in config for process/group',
  avail: 'avail\t\t\tDisplay all configured processes',
  clear: "clear <name>\t\tClear a process' log files.\nclear <name> <name>\tClear multiple process' log files\nclear all\t\tClear all process' log files",
  exit: 'exit\tExit the supervisor shell.',
  fleet: FLEET_HELP,
  fg: 'fg <process>\tConnect to a process in foreground mode\n\t\tCtrl-C to exit',
  logs: LOGS_HELP,
  maintail:
    'maintail -f \tContinuous tail of supervisor main log file (Ctrl-C to exit)\n' +
    'maintail -100\tlast 100 *bytes* of supervisord main log file\n' +
    'maintail\tlast 1600 *bytes* of supervisor main log file\n',
  open: 'open <url>\tConnect to a remote supervisord process.\n\t\t(for UNIX domain socket, use unix:///socket/path)',
  pid:
    'pid\t\t\tGet the PID of supervisord.\n' +
    'pid <name>\t\tGet the PID of a single child process by name.\n' +
    'pid all\t\t\tGet the PID of every child process, one per line.',
  quit: 'quit\tExit the supervisor shell.',
  reload: 'reload \t\tRestart the remote supervisord.',
  remove: 'remove <name> [...]\tRemoves process/group from active config',
  reread: "reread \t\t\tReload the daemon's configuration files without add/remove",
  restart:
    'restart <name>\t\tRestart a process\n' +
    'restart <gname>:*\tRestart all processes in a group\n' +
    'restart <name> <name>\tRestart multiple processes or groups\n' +
    'restart all\t\tRestart all processes\n' +
    'Note: restart does not reread config files. For that, see reread and update.',
  shutdown: 'shutdown \tShut the remote supervisord down.',
  signal:
    'signal <signal name> <name>\t\tSignal a process\n' +
    'signal <signal name> <gname>:*\t\tSignal all processes in a group\n' +
    'signal <signal name> <name> <name>\tSignal multiple processes or groups\n' +
    'signal <signal name> all\t\tSignal all processes',
  start:
    'start <name>\t\tStart a process\n' +
    'start <gname>:*\t\tStart all processes in a group\n' +
    'start <name> <name>\tStart multiple processes or groups\n' +
    'start all\t\tStart all processes',
  status:
    'status <name>\t\tGet status for a single process\n' +
    'status <gname>:*\tGet status for all processes in a group\n' +
    'status <name> <name>\tGet status for multiple named processes\n' +
    'status\t\t\tGet all process status info',
  stop:
    'stop <name>\t\tStop a process\n' +
    'stop <gname>:*\t\tStop all processes in a group\n' +
    'stop <name> <name>\tStop multiple processes or groups\n' +
    'stop all\t\tStop all processes',
  tail:
    'tail [-f] <name> [stdout|stderr] (default stdout)\n' +
    'Ex:\n' +
    'tail -f <name>\t\tContinuous tail of named process stdout\n' +
    '\t\t\tCtrl-C to exit.\n' +
    'tail -100 <name>\tlast 100 *bytes* of process stdout\n' +
    'tail <name> stderr\tlast 1600 *bytes* of process stderr',
  update:
    'update\t\t\tReload config and add/remove as necessary, and will restart affected programs\n' +
    'update all\t\tReload config and add/remove as necessary, and will restart affected programs\n' +
    'update <gname> [...]\tUpdate specific groups',
  version: 'version\t\t\tShow the version of the remote supervisord process',
};

// Python's cmd.Cmd.print_topics() of the default plugin's documented commands (columnize, 79 cols).
const TOPICS =
  '\n' +
  'default commands (type help <topic>):\n' +
  '=====================================\n' +
  'add    exit      open  reload  restart   start   tail   \n' +
  'avail  fg        pid   remove  shutdown  status  update \n' +
  'clear  maintail  quit  reread  signal    stop    version\n' +
  '\n';

/** Prints help_TOPIC (used after argument errors, as supervisorctl does). */
export function showHelp(ctl: Controller, topic: string): void {
  const text = HELP[topic];
  if (text !== undefined) ctl.output(text);
}

/** `help [topic]`. */
export const doHelp: Command = async (ctl, arg) => {
  if (arg.trim() === 'help') {
    ctl.output('help\t\tPrint a list of available actions\nhelp <action>\tPrint help for <action>');
  } else if (!arg) {
    ctl.io.stdout.write(TOPICS);
  } else if (Object.hasOwn(HELP, arg)) {
    showHelp(ctl, arg);
  } else {
    ctl.output(`*** No help on ${arg}`);
  }
};

/** supervisorctl's check for commands that take no arguments: error, help, and true when `arg` is given. */
export function noArguments(ctl: Controller, command: string, arg: string): boolean {
  if (!arg) return false;
  ctl.output(`Error: ${command} accepts no arguments`);
  ctl.exitstatus = EXIT.GENERIC;
  showHelp(ctl, command);
  return true;
}
