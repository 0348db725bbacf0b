/** The shortest password the forms accept before asking the server, which has the final word. */
export const minimumPasswordLength = 8;
