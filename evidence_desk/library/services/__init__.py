"""The library by domain (cases, evidence, checks, flow, records); `library.service.Library`
combines them into the one API the command line and the GUI call."""
