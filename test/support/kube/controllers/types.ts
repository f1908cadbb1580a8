// The scenario a test scripts for the simulated controllers: how the pods of
// each image behave, how fast, and which fields another actor keeps resetting.

export type PodBehaviour =
  | "ok"
  | "crashloop"
  | "imagepullbackoff"
  | "errimagepull"
  | "createcontainerconfigerror"
  | "invalidimagename"
  /** Running, but restarts every ~100 ms. */
  | "restart-loop"
  /** Running, readiness never true. */
  | "never-ready"
  /** Unschedulable: the pod stays Pending. */
  | "pending";

export interface Fighter {
  kind: string;
  name: string;
  namespace: string;
  path: string[];
  value: unknown;
  everyMs: number;
}

export interface ControllerScenario {
  /** First match wins, by image reference (a string matches when the reference contains it); default "ok". */
  images?: Array<{ match: string | RegExp; behaviour: PodBehaviour }>;
  /** How long a healthy pod takes from creation to Ready (default 200 ms). */
  readyAfterMs?: number;
  /** Scale for progressDeadlineSeconds and activeDeadlineSeconds (default 1 = real seconds; 0.01: 600 s becomes 6 s). */
  deadlineScale?: number;
  /** Fields some other actor keeps resetting, written as field manager "hpa-fighter". */
  fighters?: Fighter[];
}
