import { serviceLog } from "@safeguarding/shared/log";

export const log = serviceLog("portal");

/** A request's path as a log line may carry it: a segment with a digit in it (an NHS number, an id) becomes ":id". */
export const pathForLog = (pathname: string): string => pathname.replace(/[^/]*\d[^/]*/g, ":id");
