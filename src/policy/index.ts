// The approval gate: pure rules over resolved GitHub and plan data.
export type { Review, ReviewState, ImageRef, EnvironmentGateInput, GateInput, GateResult } from "./types.js";
export { evaluateGate } from "./gate.js";
export { requiredTeamsOrUsers, teamsNamed } from "./approvals.js";
export { imagesOf, classifyImage, parseImage } from "./images.js";
export type { ParsedImage } from "./images.js";
export { dangersOf } from "./dangers.js";
export { renderGateText } from "./render.js";
